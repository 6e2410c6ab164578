import {
  formatMicros,
  periodWindow,
  release,
  remaining,
  reserve,
  settle,
  type Budget,
  type BudgetPeriod,
} from '@switchboard/core';
import type { AttemptAdmission, AttemptAdmissionHook, AttemptAdmissionRequest } from './attempt-admission.ts';

/** Settings of {@link createInMemoryBudgetGuard}. */
export interface InMemoryBudgetGuardOptions {
  /** Named in refusals, so the developer knows which limit was hit. Default `budget`. */
  name?: string | undefined;
  /** Integer micro-dollars the period may spend. */
  limitMicros: number;
  /** `hard` refuses attempts whose worst case does not fit; `soft` admits and reports. Default `hard`. */
  mode?: 'hard' | 'soft' | undefined;
  /** When spending starts again from zero (UTC calendar periods). Default `lifetime`. */
  period?: BudgetPeriod | undefined;
  /** Epoch milliseconds now; default `Date.now`. Tests pass a fixed clock. */
  now?: (() => number) | undefined;
  /** Told once per period when committed spending first passes the limit of a soft budget. */
  onOverLimit?: ((state: BudgetGuardState) => void) | undefined;
}

/** What a guard has charged so far in its current period. */
export interface BudgetGuardState {
  limitMicros: number;
  spentMicros: number;
  reservedMicros: number;
  remainingMicros: number;
  /** Epoch milliseconds of the next reset; `null` for a lifetime budget. */
  resetsAt: number | null;
}

/** A budget guard for one process, plus a view of its counter. */
export interface InMemoryBudgetGuard {
  /** Pass as `ExecuteOptions.admitAttempt` or `ModelClientOptions.admitAttempt`. */
  admitAttempt: AttemptAdmissionHook;
  /** The counter of the current period. */
  state(): BudgetGuardState;
}

/**
 * A budget for one process (a direct-mode game service, a script): reserves each attempt's worst
 * case, settles the actual cost, and refuses, for a hard budget, what would exceed the limit. Its
 * counter lives in this process only, so several processes each get the whole limit; share a
 * budget across processes through the control plane's gateway instead.
 */
export function createInMemoryBudgetGuard(options: InMemoryBudgetGuardOptions): InMemoryBudgetGuard {
  const name = options.name ?? 'budget';
  const period = options.period ?? 'lifetime';
  const now = options.now ?? Date.now;
  const enforcement = options.mode ?? 'hard';
  let periodStart = periodWindow(period, now()).start;
  let budget: Budget = { enforcement, limitMicros: options.limitMicros, spentMicros: 0, reservedMicros: 0 };
  let warned = false;

  /** Starts a fresh counter when the period has turned. */
  const current = (): Budget => {
    const start = periodWindow(period, now()).start;
    if (start !== periodStart) {
      periodStart = start;
      budget = { ...budget, spentMicros: 0, reservedMicros: 0 };
      warned = false;
    }
    return budget;
  };

  const state = (): BudgetGuardState => {
    const counted = current();
    return {
      limitMicros: counted.limitMicros,
      spentMicros: counted.spentMicros,
      reservedMicros: counted.reservedMicros,
      remainingMicros: remaining(counted),
      resetsAt: periodWindow(period, now()).resetsAt,
    };
  };

  const reportOverLimit = (): void => {
    if (warned || enforcement !== 'soft') return;
    warned = true;
    options.onOverLimit?.(state());
  };

  const admitAttempt = (request: AttemptAdmissionRequest): Promise<AttemptAdmission> => {
    const counted = current();
    const amount = request.worstCaseMicros;
    if (amount === undefined && enforcement === 'hard') {
      return Promise.resolve({
        admitted: false,
        reason: `Budget "${name}" cannot admit ${request.modelId}: the model has no price, so its cost has no bound.`,
        budgetId: name,
        resetsAt: periodWindow(period, now()).resetsAt,
      });
    }
    const reservation = amount ?? 0;
    const reserved = reserve(counted, reservation);
    if (!reserved.ok) {
      const resetsAt = periodWindow(period, now()).resetsAt;
      return Promise.resolve({
        admitted: false,
        reason:
          `Budget "${name}" (${period}) has ${formatMicros(reserved.availableMicros)} left of ` +
          `${formatMicros(counted.limitMicros)} and ${request.modelId} may cost up to ` +
          `${formatMicros(reservation)}; ${resetsAt === null ? 'it never resets' : `it resets at ${new Date(resetsAt).toISOString()}`}.`,
        budgetId: name,
        resetsAt,
      });
    }
    budget = reserved.budget;
    if (reserved.overLimit) reportOverLimit();
    const reservedIn = periodStart;
    let settled = false;
    return Promise.resolve({
      admitted: true,
      settle(charge) {
        if (settled) return Promise.resolve();
        settled = true;
        // A reservation from a period that has since ended has nothing left to release.
        if (reservedIn !== periodStart) return Promise.resolve();
        if (!charge.billed) {
          budget = release(budget, reservation);
          return Promise.resolve();
        }
        const result = settle(budget, reservation, charge.actualMicros);
        budget = result.budget;
        if (result.overLimit) reportOverLimit();
        return Promise.resolve();
      },
    });
  };

  return { admitAttempt, state };
}
