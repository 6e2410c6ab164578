import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import {
  formatMicros,
  periodWindow,
  type BudgetView as SelectionBudget,
  type TherapeuticContext,
} from '@switchboard/core';
import type { AttemptAdmission, AttemptAdmissionHook, AttemptAdmissionRequest } from '@switchboard/sdk';
import { Counter } from 'prom-client';
import type { ZodType } from 'zod';
import { CLOCK, type Clock } from '../../config/clock.ts';
import { ApiError, formatIssuePath } from '../../errors/api-error.ts';
import { MetricsService } from '../../observability/metrics.service.ts';
import { BudgetChangeBus } from './budget-change-bus.ts';
import { BudgetCountersRepository, type CounterPlace } from './budget-counters.repository.ts';
import { counterIdentity, type CounterReading, type CounterTarget } from './budget-counters.ts';
import {
  createBudgetSchema,
  defaultAlertThreshold,
  updateBudgetSchema,
  type BudgetDefinition,
} from './budget-definition.ts';
import { BudgetDefinitionRepository } from './budget-definition.repository.ts';

/** A budget as `GET /admin/budgets` shows it: the definition and its current period's counter. */
export interface BudgetStatus {
  id: string;
  scope: BudgetDefinition['scope'];
  scopeId: string | null;
  period: BudgetDefinition['period'];
  limitMicros: number;
  mode: BudgetDefinition['mode'];
  alertThreshold: number;
  /** Settled charges in the current period. */
  spentMicros: number;
  /** Worst cases held for attempts still running. */
  reservedMicros: number;
  /** `limit - spent - reserved`, never below 0. */
  remainingMicros: number;
  /** ISO 8601 start of the current period (the epoch for lifetime budgets). */
  periodStart: string;
  /** ISO 8601 instant the period ends and spending starts again from zero; `null` for lifetime. */
  resetsAt: string | null;
  createdAt: string;
  updatedAt: string;
  /**
   * Charges this instance made while Redis was unreachable that have not reached the shared
   * counter yet: 0 without Redis, and once they are replayed (right after Redis answers again).
   * Until then `spentMicros` read on other instances lacks them.
   */
  unsharedCharges: number;
}

/** Why a budgeted request cannot go ahead; the gateway renders it in OpenAI's error shape. */
export class BudgetRefusal extends Error {
  constructor(
    /** `exceeded`: a hard budget has no room (429); `unavailable`: Redis is down and budgets fail closed (503). */
    readonly kind: 'exceeded' | 'unavailable',
    message: string,
    /** Seconds until the refusing budget resets, for `Retry-After`; `undefined` when it never does. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
    this.name = 'BudgetRefusal';
  }
}

/** What a gateway request gets from its budgets. */
export interface BudgetPlan {
  /** For core's `select()`: the tightest hard budget's remaining amount, and whether to prefer cheaper models. */
  selection: SelectionBudget | undefined;
  /** For the engine: reserves each attempt's worst case on every applicable budget. */
  admitAttempt: AttemptAdmissionHook | undefined;
}

/** An applicable budget in its current period. */
interface ActiveBudget {
  definition: BudgetDefinition;
  target: CounterTarget;
  resetsAt: number | null;
}

/**
 * How long budget definitions are cached. Changes are announced to every instance at once (see
 * `BudgetChangeBus`); this bounds how stale a missed announcement can leave an instance.
 */
const definitionsTtlMs = 1_000;
/** An unsettled reservation lapses this long after it was made (the instance holding it died). */
const reservationHoldMs = 15 * 60 * 1_000;
/** Counters are kept this long after their period ended (for late settlements and the dashboard). */
const counterRetentionMs = 2 * 24 * 60 * 60 * 1_000;

/**
 * Budgets: definitions (`/admin/budgets`), and what they do to gateway traffic. For a request it
 * finds every budget that applies (global, its tenant, player and session), gives selection the
 * tightest hard budget's remaining amount (and, once a soft budget passes its alert threshold, asks
 * for cheaper models), and gives the engine an admission hook that reserves every attempt's worst
 * case on all of them at once and settles the actual cost when the attempt ends.
 */
@Injectable()
export class BudgetService implements OnModuleInit {
  private readonly logger = new Logger('Budgets');
  private cached: { definitions: BudgetDefinition[]; loadedAt: number } | undefined;
  private loading: Promise<BudgetDefinition[]> | undefined;
  /** Bumped on every change, so a list loaded before a change is not cached after it. */
  private generation = 0;
  /** Budgets (with period) whose alert was raised by this instance, so it is raised once per period. */
  private readonly alerted = new Set<string>();
  private readonly alerts: Counter<'scope' | 'period' | 'mode'> | undefined;
  private readonly refusals: Counter<'scope' | 'period'> | undefined;

  constructor(
    @Inject(BudgetDefinitionRepository) private readonly definitions: BudgetDefinitionRepository,
    @Inject(BudgetCountersRepository) private readonly counters: BudgetCountersRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(BudgetChangeBus) private readonly changes?: BudgetChangeBus,
    @Optional() @Inject(MetricsService) metrics?: MetricsService,
  ) {
    const registry = metrics?.registry;
    if (registry !== undefined) {
      this.alerts = new Counter({
        name: 'switchboard_budget_alerts_total',
        help: 'Budgets whose committed spending passed their alert threshold, once per budget and period per instance.',
        labelNames: ['scope', 'period', 'mode'],
        registers: [registry],
      });
      this.refusals = new Counter({
        name: 'switchboard_budget_refusals_total',
        help: 'Attempts or requests a hard budget refused.',
        labelNames: ['scope', 'period'],
        registers: [registry],
      });
    }
  }

  onModuleInit(): void {
    this.changes?.onChange(() => this.forgetDefinitions());
  }

  // --- admin ----------------------------------------------------------------------------------

  async list(): Promise<BudgetStatus[]> {
    const definitions = await this.definitions.list();
    return this.statusOf(definitions);
  }

  async get(id: string): Promise<BudgetStatus> {
    const definition = await this.definitions.find(id);
    if (definition === undefined) throw notFound(id);
    const [status] = await this.statusOf([definition]);
    return status as BudgetStatus;
  }

  async create(body: unknown): Promise<BudgetStatus> {
    const input = parse(createBudgetSchema, body, 'The budget is invalid');
    const now = new Date(this.clock.now()).toISOString();
    const created = await this.definitions.insert({
      id: input.id ?? randomUUID(),
      scope: input.scope,
      scopeId: input.scope === 'global' ? null : (input.scopeId ?? null),
      period: input.period,
      limitMicros: input.limitMicros,
      mode: input.mode,
      alertThreshold: input.alertThreshold ?? defaultAlertThreshold,
      createdAt: now,
      updatedAt: now,
    });
    if (created === undefined) {
      throw ApiError.conflict(
        `A budget with id "${input.id ?? ''}" exists already. Choose another id, or PATCH /admin/budgets/${input.id ?? ''} to change it.`,
      );
    }
    await this.changed(created.id);
    const [status] = await this.statusOf([created]);
    return status as BudgetStatus;
  }

  async update(id: string, body: unknown): Promise<BudgetStatus> {
    const input = parse(updateBudgetSchema, body, 'The budget change is invalid');
    const updated = await this.definitions.update(id, {
      ...input,
      updatedAt: new Date(this.clock.now()).toISOString(),
    });
    if (updated === undefined) throw notFound(id);
    await this.changed(id);
    const [status] = await this.statusOf([updated]);
    return status as BudgetStatus;
  }

  async delete(id: string): Promise<void> {
    const definition = await this.definitions.find(id);
    if (definition === undefined || !(await this.definitions.delete(id))) throw notFound(id);
    await this.changed(id);
    // Frees the deleted budget's current counter at once rather than when it expires.
    await this.counters.drop([this.activeBudget(definition, this.clock.now()).target]);
  }

  /** Drops this instance's cached list and tells the others to drop theirs. */
  private async changed(id: string): Promise<void> {
    this.forgetDefinitions();
    await this.changes?.announce(id);
  }

  private forgetDefinitions(): void {
    this.cached = undefined;
    this.loading = undefined;
    this.generation += 1;
  }

  // --- gateway --------------------------------------------------------------------------------

  /**
   * The budgets of one gateway request. Throws a {@link BudgetRefusal} when a hard budget that
   * applies has nothing left, or when Redis is unreachable and budgets fail closed.
   */
  async plan(context: TherapeuticContext, requestId: string): Promise<BudgetPlan> {
    const active = this.activeFor(await this.currentDefinitions(), context);
    if (active.length === 0) return { selection: undefined, admitAttempt: undefined };
    const targets = active.map((budget) => budget.target);
    const { readings } = await this.counters.read(targets);
    if (readings === undefined) throw unavailable();
    let hardRemaining: number | undefined;
    let preferCheaper = false;
    for (const [index, budget] of active.entries()) {
      const reading = readings[index] as CounterReading;
      const remaining = remainingOf(budget.target, reading);
      if (budget.definition.mode === 'hard') {
        if (remaining === 0) throw this.exceeded(budget, reading, undefined);
        hardRemaining = Math.min(hardRemaining ?? remaining, remaining);
      } else if (this.pastThreshold(budget, reading)) {
        preferCheaper = true;
      }
      this.alertIfPastThreshold(budget, reading);
    }
    return {
      selection: { remainingMicros: hardRemaining, preferCheaper },
      admitAttempt: (attempt) => this.admit(active, requestId, attempt),
    };
  }

  /**
   * The refusal to answer when selection found no model because of a hard budget (every candidate's
   * worst case is larger than what is left), so the caller gets 429 `budget_exceeded`, not a 400.
   */
  async refusalForEmptySelection(context: TherapeuticContext): Promise<BudgetRefusal | undefined> {
    const active = this.activeFor(await this.currentDefinitions(), context).filter(
      (budget) => budget.definition.mode === 'hard',
    );
    if (active.length === 0) return undefined;
    const { readings } = await this.counters.read(active.map((budget) => budget.target));
    if (readings === undefined) return unavailable();
    let tightest: { budget: ActiveBudget; reading: CounterReading; remaining: number } | undefined;
    for (const [index, budget] of active.entries()) {
      const reading = readings[index] as CounterReading;
      const remaining = remainingOf(budget.target, reading);
      if (tightest === undefined || remaining < tightest.remaining) tightest = { budget, reading, remaining };
    }
    return tightest === undefined ? undefined : this.exceeded(tightest.budget, tightest.reading, undefined);
  }

  private async admit(
    active: readonly ActiveBudget[],
    requestId: string,
    attempt: AttemptAdmissionRequest,
  ): Promise<AttemptAdmission> {
    const now = this.clock.now();
    const targets = active.map((budget) => budget.target);
    const amount = attempt.worstCaseMicros;
    const hard = active.find((budget) => budget.definition.mode === 'hard');
    if (amount === undefined && hard !== undefined) {
      return {
        admitted: false,
        reason:
          `${describeBudget(hard.definition)} cannot admit ${attempt.modelId}: the model has no price, so nothing ` +
          'bounds what it may cost. Give it a price in the registry.',
        budgetId: hard.definition.id,
        resetsAt: hard.resetsAt,
      };
    }
    const reservationId = `${requestId}:${attempt.attemptIndex}`;
    const reservedMicros = amount ?? 0;
    const placed = await this.counters.reserve({
      reservationId,
      targets,
      amountMicros: reservedMicros,
      now,
      holdUntil: now + reservationHoldMs,
    });
    if (placed.outcome.status === 'unavailable') {
      return { admitted: false, reason: unavailable().message };
    }
    const outcome = placed.outcome;
    if (outcome.status === 'refused') {
      const budget = active[outcome.refusedIndex] as ActiveBudget;
      const refusal = this.exceeded(budget, outcome.readings[outcome.refusedIndex] as CounterReading, {
        modelId: attempt.modelId,
        amountMicros: reservedMicros,
      });
      return {
        admitted: false,
        reason: refusal.message,
        budgetId: budget.definition.id,
        resetsAt: budget.resetsAt,
      };
    }
    for (const [index, budget] of active.entries()) {
      this.alertIfPastThreshold(budget, outcome.readings[index] as CounterReading);
    }
    const place = placed.place as CounterPlace;
    return {
      admitted: true,
      settle: (charge) => {
        const chargeMicros = !charge.billed ? 0 : (charge.actualMicros ?? reservedMicros);
        return this.counters.settle(
          {
            reservationId,
            targets,
            chargeMicros,
            settledAt: this.clock.now(),
            ledgerKey: { decisionId: requestId, attemptIndex: attempt.attemptIndex },
          },
          place,
        );
      },
    };
  }

  // --- reported spending -----------------------------------------------------------------------

  /**
   * The counters spending of this scope at instant `at` (epoch ms) belongs to: every budget that
   * applies, in the period containing `at` (the period the ledger seed counts it in).
   */
  async targetsFor(scope: SpendingScope, at: number): Promise<CounterTarget[]> {
    const definitions = await this.currentDefinitions();
    return definitions
      .filter((definition) => appliesTo(definition, scope))
      .map((definition) => this.activeBudget(definition, at).target);
  }

  // --- helpers --------------------------------------------------------------------------------

  private async currentDefinitions(): Promise<BudgetDefinition[]> {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached !== undefined && now - cached.loadedAt < definitionsTtlMs) return cached.definitions;
    const generation = this.generation;
    this.loading ??= this.definitions
      .list()
      .then((definitions) => {
        if (generation === this.generation) this.cached = { definitions, loadedAt: this.clock.now() };
        return definitions;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private activeFor(definitions: readonly BudgetDefinition[], context: TherapeuticContext): ActiveBudget[] {
    const now = this.clock.now();
    return definitions
      .filter((definition) => appliesTo(definition, context))
      .map((definition) => this.activeBudget(definition, now));
  }

  private activeBudget(definition: BudgetDefinition, now: number): ActiveBudget {
    const window = periodWindow(definition.period, now);
    return {
      definition,
      resetsAt: window.resetsAt,
      target: {
        budgetId: definition.id,
        budgetStamp: Date.parse(definition.createdAt),
        scope: definition.scope,
        scopeId: definition.scopeId,
        periodStart: window.start,
        expiresAt: window.resetsAt === null ? null : window.resetsAt + counterRetentionMs,
        limitMicros: definition.limitMicros,
        hard: definition.mode === 'hard',
      },
    };
  }

  private async statusOf(definitions: readonly BudgetDefinition[]): Promise<BudgetStatus[]> {
    const now = this.clock.now();
    const active = definitions.map((definition) => this.activeBudget(definition, now));
    const { readings } = await this.counters.read(active.map((budget) => budget.target));
    if (readings === undefined) {
      throw new ApiError(
        'unavailable',
        'The budget counters in Redis are unreachable (SWITCHBOARD_BUDGET_REDIS_FAILURE=closed). Try again once Redis answers.',
      );
    }
    return active.map((budget, index) => {
      const reading = readings[index] as CounterReading;
      const { definition } = budget;
      return {
        id: definition.id,
        scope: definition.scope,
        scopeId: definition.scopeId,
        period: definition.period,
        limitMicros: definition.limitMicros,
        mode: definition.mode,
        alertThreshold: definition.alertThreshold,
        spentMicros: reading.spentMicros,
        reservedMicros: reading.reservedMicros,
        remainingMicros: remainingOf(budget.target, reading),
        periodStart: new Date(budget.target.periodStart).toISOString(),
        resetsAt: budget.resetsAt === null ? null : new Date(budget.resetsAt).toISOString(),
        createdAt: definition.createdAt,
        updatedAt: definition.updatedAt,
        unsharedCharges: this.counters.pendingChargesFor(budget.target),
      };
    });
  }

  private pastThreshold(budget: ActiveBudget, reading: CounterReading): boolean {
    const committed = reading.spentMicros + reading.reservedMicros;
    return committed >= budget.definition.alertThreshold * budget.definition.limitMicros;
  }

  /** A warning (no content: budget id, scope, period, amounts) and a metric, once per budget and period. */
  private alertIfPastThreshold(budget: ActiveBudget, reading: CounterReading): void {
    if (!this.pastThreshold(budget, reading)) return;
    const key = counterIdentity(budget.target);
    if (this.alerted.has(key)) return;
    if (this.alerted.size > 10_000) this.alerted.clear();
    this.alerted.add(key);
    const { definition } = budget;
    this.alerts?.inc({ scope: definition.scope, period: definition.period, mode: definition.mode });
    const committed = reading.spentMicros + reading.reservedMicros;
    this.logger.warn(
      `Budget ${definition.id} (${definition.scope}, ${definition.period}, ${definition.mode}) has committed ` +
        `${formatMicros(committed)} of ${formatMicros(definition.limitMicros)}, past its alert threshold of ` +
        `${Math.round(definition.alertThreshold * 100)}%` +
        (definition.mode === 'soft' ? '; selection now prefers cheaper models.' : '.'),
    );
  }

  private exceeded(
    budget: ActiveBudget,
    reading: CounterReading,
    attempt: { modelId: string; amountMicros: number } | undefined,
  ): BudgetRefusal {
    const { definition } = budget;
    this.refusals?.inc({ scope: definition.scope, period: definition.period });
    const remaining = remainingOf(budget.target, reading);
    const need =
      attempt === undefined
        ? ''
        : `, and ${attempt.modelId} may cost up to ${formatMicros(attempt.amountMicros)}`;
    const reset =
      budget.resetsAt === null
        ? 'It is a lifetime budget and never resets: raise its limit to continue.'
        : `It resets at ${new Date(budget.resetsAt).toISOString()}.`;
    return new BudgetRefusal(
      'exceeded',
      `${describeBudget(definition)} has ${formatMicros(remaining)} left of ${formatMicros(definition.limitMicros)}${need}. ${reset}`,
      budget.resetsAt === null
        ? undefined
        : Math.max(1, Math.ceil((budget.resetsAt - this.clock.now()) / 1_000)),
    );
  }
}

/** Whose spending a request is: what decides which budgets apply. */
export type SpendingScope = Pick<TherapeuticContext, 'tenantId' | 'playerId' | 'sessionId'>;

function appliesTo(definition: BudgetDefinition, context: SpendingScope): boolean {
  switch (definition.scope) {
    case 'global':
      return true;
    case 'tenant':
      return context.tenantId !== undefined && context.tenantId === definition.scopeId;
    case 'player':
      return context.playerId !== undefined && context.playerId === definition.scopeId;
    case 'session':
      return context.sessionId !== undefined && context.sessionId === definition.scopeId;
  }
}

function remainingOf(target: CounterTarget, reading: CounterReading): number {
  return Math.max(0, target.limitMicros - reading.spentMicros - reading.reservedMicros);
}

/** `Budget "tenant-eu-day" (tenant studio-eu, day, hard)`: names the budget without request content. */
function describeBudget(definition: BudgetDefinition): string {
  const whose = definition.scopeId === null ? definition.scope : `${definition.scope} ${definition.scopeId}`;
  return `Budget "${definition.id}" (${whose}, ${definition.period}, ${definition.mode})`;
}

function unavailable(): BudgetRefusal {
  return new BudgetRefusal(
    'unavailable',
    'The budget counters in Redis are unreachable and budgets fail closed (SWITCHBOARD_BUDGET_REDIS_FAILURE=closed), ' +
      'so no budgeted request is served until Redis answers again. Retry shortly.',
    5,
  );
}

function notFound(id: string): ApiError {
  return ApiError.notFound(`No budget has the id "${id}". GET /admin/budgets lists them.`);
}

function parse<Output>(schema: ZodType<Output>, body: unknown, lead: string): Output {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw ApiError.invalidRequest(
    parsed.error.issues.map((issue) => ({
      path: formatIssuePath(issue.path as (string | number)[]),
      message: issue.message.replace(/^Invalid input: /, ''),
    })),
    lead,
  );
}
