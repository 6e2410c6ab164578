import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '../../config/clock.ts';
import { CONTROL_PLANE_CONFIG } from '../../config/config.module.ts';
import type { ControlPlaneConfig } from '../../config/control-plane-config.ts';
import { RedisConnection } from '../../redis/redis-connection.ts';
import {
  counterIdentity,
  type BudgetCounterStore,
  type CounterReading,
  type CounterTarget,
  type ReserveOutcome,
  type ReserveRequest,
  type SettleRequest,
} from './budget-counters.ts';
import { BudgetLedgerRepository, ledgerAttemptKey } from './budget-ledger.repository.ts';
import { LocalBudgetCounters } from './local-budget-counters.ts';
import { RedisBudgetCounters } from './redis-budget-counters.ts';

/**
 * Where a reservation was held, so its settlement goes to the same place:
 * - `local-only`: no Redis is configured; this process's counters are the budget.
 * - `shared`: in Redis, shared by every instance.
 * - `fallback`: Redis was unreachable and budgets fail open: held in this process's counters, and
 *   the charge is added to Redis once it is back.
 */
export type CounterPlace = 'local-only' | 'shared' | 'fallback';

/** A reservation's answer and where it was held; `unavailable` when Redis is down and budgets fail closed. */
export type PlacedReserveOutcome =
  | { outcome: ReserveOutcome & { status: 'reserved' | 'refused' }; place: CounterPlace }
  | { outcome: { status: 'unavailable' }; place: undefined };

/** Readings and where they came from; `undefined` readings when Redis is down and budgets fail closed. */
export interface PlacedReadings {
  readings: CounterReading[] | undefined;
  place: CounterPlace | undefined;
}

/** How long a Redis command may take before it counts as unreachable. */
const redisTimeoutMs = 1_000;
/** How long after a failed replay of pending charges it is tried again. */
const replayRetryMs = 1_000;

/**
 * The budget counters, wherever they live right now. With Redis, every reservation and settlement
 * is one atomic script there; without it, this process's counters are the budget.
 *
 * While Redis is configured but unreachable, `SWITCHBOARD_BUDGET_REDIS_FAILURE` decides:
 * `closed` refuses (the caller turns that into an error), `open` keeps serving against this
 * process's counters, seeded from the ledger, and remembers each charge.
 *
 * **Recovery, and why from both the ledger and local deltas.** The ledger in PostgreSQL is the
 * durable record of what was spent; Redis holds a fast shared view of it plus the reservations in
 * flight. A counter that does not exist (a new period, a new budget, or a Redis that restarted
 * empty) is seeded from the ledger's sum for its scope and period, and stamped `seededAt`. Charges
 * made while Redis was away are replayed into Redis when it returns (`onReady`), through the same
 * idempotent settle script, by reservation id. Before a replay the repository asks the ledger when
 * it received each replayed attempt (by decision id and attempt index): a counter seeded before
 * that moment (or when the ledger has not received it yet) lacks the charge and gets it; a counter
 * seeded after it holds the charge in its seed and is left alone. So a network partition (Redis
 * kept its data) is healed by the deltas, and a Redis that lost its data is rebuilt from the
 * ledger, and neither counts a charge twice. The ledger alone would miss the partition case (the
 * counter survives, so it is never reseeded) and attempts not yet flushed (the ledger is written
 * every 250 ms, asynchronously); deltas alone would lose everything spent before a restart. The
 * seed and the ledger's `received_at` are both read from the database's clock under the ledger's
 * seed lock (`ledger-seed-lock.ts`), so "received before the seed" is exactly "in the seed's sum",
 * even for writes in flight while the seed is taken. Attempts of an instance that died during the
 * outage are only known through the ledger rows it flushed.
 *
 * Spending nobody reserved (direct-mode SDKs, reported through telemetry) follows the same rule:
 * `ReportedSpendingSettler` settles each new attempt once the ledger holds it, with the instant
 * the ledger received it, so only counters seeded before then are charged (`settleReported`).
 *
 * Counter keys carry the budget's creation stamp, so a budget deleted and created again under the
 * same id is seeded afresh for its own scope instead of inheriting the old counter.
 *
 * The decision is made per call, from the connection's state at that moment, so an outage at
 * start-up ends when Redis answers, never lasting for the life of the process.
 */
@Injectable()
export class BudgetCountersRepository implements OnModuleInit {
  private readonly logger = new Logger('Budgets');
  private readonly local = new LocalBudgetCounters();
  private readonly shared: RedisBudgetCounters | undefined;
  private readonly failOpen: boolean;
  /** Charges to add to Redis once it answers: fallback charges, and settles that failed. */
  private pending: SettleRequest[] = [];
  private replaying: Promise<void> | undefined;
  private replayRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    @Inject(RedisConnection) private readonly connection: RedisConnection,
    @Inject(BudgetLedgerRepository) private readonly ledger: BudgetLedgerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
  ) {
    const client = connection.client;
    this.shared = client === undefined ? undefined : new RedisBudgetCounters(client, connection.keys);
    this.failOpen = config.budgetRedisFailure === 'open';
  }

  onModuleInit(): void {
    this.connection.onReady(() => void this.replayPending());
  }

  /** Whether budgets are shared through Redis (configured), for the admin view. */
  get sharedConfigured(): boolean {
    return this.shared !== undefined;
  }

  /**
   * Charges to `target`'s counter that this instance made while Redis was unreachable and has not
   * added to Redis yet (the admin view's `unsharedCharges`): until they are replayed, the shared
   * counter, and every other instance reading it, lacks them.
   */
  pendingChargesFor(target: CounterTarget): number {
    const identity = counterIdentity(target);
    let count = 0;
    for (const request of this.pending) {
      if (request.targets.some((charged) => counterIdentity(charged) === identity)) count += 1;
    }
    return count;
  }

  async reserve(request: ReserveRequest): Promise<PlacedReserveOutcome> {
    const shared = this.shared;
    if (shared === undefined)
      return { outcome: await this.reserveSeeded(this.local, request), place: 'local-only' };
    if (this.connection.ready) {
      try {
        const outcome = await this.reserveSeeded(shared, request);
        this.replayIfPending();
        return { outcome, place: 'shared' };
      } catch (error) {
        this.warnUnreachable(error);
      }
    }
    if (!this.failOpen) return { outcome: { status: 'unavailable' }, place: undefined };
    return { outcome: await this.reserveSeeded(this.local, request), place: 'fallback' };
  }

  async settle(request: SettleRequest, place: CounterPlace): Promise<void> {
    if (place === 'local-only') return this.local.settle(request);
    if (place === 'fallback') {
      await this.local.settle(request);
      this.pending.push(request);
      this.replayIfPending();
      return;
    }
    try {
      if (!this.connection.ready) throw new Error('Redis is not connected');
      await withTimeout((this.shared as RedisBudgetCounters).settle(request));
    } catch (error) {
      this.warnUnreachable(error);
      this.pending.push(request);
      // A slow answer from a connected Redis: try again at once (idempotent by reservation id)
      // rather than leaving the charge to wait for this instance's next request.
      this.replayIfPending();
    }
  }

  /**
   * Adds spending nobody reserved to the counters that exist: an SDK's direct calls, reported through
   * telemetry once the ledger holds them. `request.ledgerRecordedAt` says when the ledger received
   * the attempt, so a counter seeded later (whose seed holds it) is left alone, and a counter that
   * does not exist is seeded from the ledger when first used. Idempotent by `reservationId`. While
   * Redis is away the charge waits (and, failing open, also lands on this process's counters).
   */
  async settleReported(request: SettleRequest): Promise<void> {
    if (this.shared === undefined) return this.local.settle(request);
    if (this.connection.ready || !this.failOpen) return this.settle(request, 'shared');
    return this.settle(request, 'fallback');
  }

  /**
   * Drops a deleted budget's counters, here and in Redis. Best effort: an unreachable Redis keeps
   * them until they expire, and the budget's creation stamp in every counter key keeps a budget
   * created again under the same id away from them anyway.
   */
  async drop(targets: readonly CounterTarget[]): Promise<void> {
    await this.local.drop(targets);
    const shared = this.shared;
    if (shared === undefined || !this.connection.ready) return;
    await withTimeout(shared.drop(targets)).catch((error: unknown) => this.warnUnreachable(error));
  }

  /** Current readings; counters that do not exist yet are seeded from the ledger first. */
  async read(targets: readonly CounterTarget[]): Promise<PlacedReadings> {
    const shared = this.shared;
    if (shared === undefined)
      return { readings: await this.readSeeded(this.local, targets), place: 'local-only' };
    if (this.connection.ready) {
      try {
        return { readings: await this.readSeeded(shared, targets), place: 'shared' };
      } catch (error) {
        this.warnUnreachable(error);
      }
    }
    if (!this.failOpen) return { readings: undefined, place: undefined };
    return { readings: await this.readSeeded(this.local, targets), place: 'fallback' };
  }

  /** Adds the charges made while Redis was away, oldest first; stops at the first failure. */
  replayPending(): Promise<void> {
    this.replaying ??= this.replay().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  /** After a failed replay, tries again shortly even if this instance serves no further request. */
  private retryReplayLater(): void {
    if (this.replayRetry !== undefined) return;
    this.replayRetry = setTimeout(() => {
      this.replayRetry = undefined;
      this.replayIfPending();
    }, replayRetryMs);
    this.replayRetry.unref();
  }

  private replayIfPending(): void {
    if (this.pending.length > 0 && this.connection.ready) void this.replayPending();
  }

  /**
   * Replays in batches: seeds the counters the batch charges (from the ledger, if Redis lost them),
   * then asks the ledger when it received each attempt, so that a counter is charged exactly when
   * its seed could not already hold the charge (see `SettleRequest.ledgerRecordedAt`).
   */
  private async replay(): Promise<void> {
    const shared = this.shared;
    if (shared === undefined) return;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, 100);
      try {
        const targets = uniqueTargets(batch);
        await this.readSeeded(shared, targets);
        const received = await this.ledger
          .receivedAt(
            batch.flatMap((request) => (request.ledgerKey === undefined ? [] : [request.ledgerKey])),
          )
          .catch(() => undefined);
        for (const request of batch) {
          const ledgerRecordedAt =
            request.ledgerKey === undefined
              ? request.ledgerRecordedAt
              : received === undefined
                ? undefined
                : (received.get(ledgerAttemptKey(request.ledgerKey)) ?? null);
          await withTimeout(shared.settle({ ...request, ledgerRecordedAt }));
          this.pending.shift();
        }
      } catch (error) {
        this.warnUnreachable(error);
        this.retryReplayLater();
        return;
      }
    }
    // The next outage seeds its stand-in counters afresh, from a ledger that has caught up.
    this.local.clear();
  }

  private async reserveSeeded(
    store: BudgetCounterStore,
    request: ReserveRequest,
  ): Promise<ReserveOutcome & { status: 'reserved' | 'refused' }> {
    for (;;) {
      const outcome = await withTimeout(store.reserve(request));
      if (outcome.status !== 'unseeded') return outcome;
      for (const index of outcome.unseededIndexes) {
        await this.seed(store, request.targets[index] as CounterTarget);
      }
    }
  }

  private async readSeeded(
    store: BudgetCounterStore,
    targets: readonly CounterTarget[],
  ): Promise<CounterReading[]> {
    let readings = await withTimeout(store.read(targets, this.clock.now()));
    if (readings.every((reading) => reading !== undefined)) return readings as CounterReading[];
    for (const [index, reading] of readings.entries()) {
      if (reading === undefined) await this.seed(store, targets[index] as CounterTarget);
    }
    readings = await withTimeout(store.read(targets, this.clock.now()));
    return readings.map((reading) => reading ?? { spentMicros: 0, reservedMicros: 0 });
  }

  /**
   * Seeds the counter with the ledger's sum, stamped with the moment that sum stands for (taken
   * under the ledger's seed lock, so "received before the stamp" is exactly "in the sum").
   */
  private async seed(store: BudgetCounterStore, target: CounterTarget): Promise<void> {
    const { spentMicros, seededAt } = await this.ledger.spentSince(
      target.scope,
      target.scopeId,
      target.periodStart,
      this.clock.now(),
    );
    await withTimeout(store.seed(target, spentMicros, seededAt));
  }

  private lastWarning = 0;

  /** One line per ten seconds at most: an outage must not flood the log. */
  private warnUnreachable(error: unknown): void {
    const now = this.clock.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(
      `Budget counters in Redis are unreachable (${error instanceof Error ? error.message : 'unknown error'}); ` +
        (this.failOpen
          ? 'serving with this instance’s counters until Redis is back (SWITCHBOARD_BUDGET_REDIS_FAILURE=open).'
          : 'refusing budgeted requests until Redis is back (SWITCHBOARD_BUDGET_REDIS_FAILURE=closed).'),
    );
  }
}

/** Every counter a batch of settlements charges, once each. */
function uniqueTargets(batch: readonly SettleRequest[]): CounterTarget[] {
  const targets = new Map<string, CounterTarget>();
  for (const request of batch) {
    for (const target of request.targets) targets.set(counterIdentity(target), target);
  }
  return [...targets.values()];
}

/** Rejects when `work` takes longer than {@link redisTimeoutMs}, so a hung Redis fails like a down one. */
function withTimeout<Value>(work: Promise<Value>): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${redisTimeoutMs} ms`)), redisTimeoutMs);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
