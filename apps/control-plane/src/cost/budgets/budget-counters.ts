import type { BudgetScope } from '@switchboard/core';

/**
 * The counter vocabulary shared by the Redis scripts and the in-process counters, so both behave
 * the same way and the repository above them can switch between them at any moment.
 *
 * A counter is one budget in one period: `spent` (settled charges), `reserved` (worst cases held
 * for running attempts) and `seededAt`. A counter that does not exist yet (a new period, a new
 * budget, or a Redis that lost its data) is first *seeded* with what the ledger says was already
 * spent in the period, because the ledger in PostgreSQL is the durable record and the counters are
 * its fast, shared, in-flight view.
 */

/** One counter an attempt charges: a budget in its current period, with what the budget allows. */
export interface CounterTarget {
  budgetId: string;
  /**
   * When the budget was created (epoch ms): part of the counter's key, so a budget deleted and
   * created again under the same id starts from what its own scope spent (seeded from the ledger),
   * never from the deleted budget's counter, which may have counted another player entirely.
   */
  budgetStamp: number;
  /** Whose spending the budget counts: what a seed asks the ledger about. */
  scope: BudgetScope;
  /** The player, session or tenant id; `null` for the global scope. */
  scopeId: string | null;
  /** Epoch milliseconds at which the period started: part of the counter's key. */
  periodStart: number;
  /** When the counter may be dropped (the period's end plus a margin); `null` never (lifetime). */
  expiresAt: number | null;
  limitMicros: number;
  /** Only hard budgets refuse a reservation; soft ones count it and say they are over. */
  hard: boolean;
}

/** A counter's state. */
export interface CounterReading {
  spentMicros: number;
  reservedMicros: number;
}

/** The answer to a reservation. */
export type ReserveOutcome =
  /** Held on every target; readings after the reservation, in target order. */
  | { status: 'reserved'; readings: CounterReading[] }
  /** The target at `refusedIndex` is a hard budget without room; nothing was held anywhere. */
  | { status: 'refused'; refusedIndex: number; readings: CounterReading[] }
  /** These targets have no counter yet: seed them from the ledger and ask again. Nothing was held. */
  | { status: 'unseeded'; unseededIndexes: number[] };

/** A reservation request: idempotent by `reservationId`. */
export interface ReserveRequest {
  reservationId: string;
  targets: readonly CounterTarget[];
  amountMicros: number;
  now: number;
  /** After this instant an unsettled reservation is dropped (the instance holding it died). */
  holdUntil: number;
}

/**
 * Ends a reservation: releases what it held and adds `chargeMicros` to `spent`. Idempotent by
 * `reservationId`. A counter that holds the reservation is always charged; one that does not (the
 * reservation was held in this process while Redis was away, or Redis lost the counter) is charged
 * only when it was seeded before `settledAt`: a counter seeded later came from a ledger that
 * already held this charge.
 */
export interface SettleRequest {
  reservationId: string;
  targets: readonly CounterTarget[];
  chargeMicros: number;
  settledAt: number;
  /** The attempt's row in the ledger (`decision_id`, `attempt_index`), for replays after an outage. */
  ledgerKey?: { decisionId: string; attemptIndex: number } | undefined;
  /**
   * For a counter that does not hold the reservation: when the ledger received this attempt's row
   * (epoch ms), `null` when it has not, `undefined` when nobody asked. A counter seeded before the
   * row arrived is charged; one seeded at or after it already holds the charge in its seed. Without
   * an answer, `settledAt` stands in for the row's arrival.
   */
  ledgerRecordedAt?: number | null | undefined;
  /** How long the settled marker is kept; {@link reservationMarkerTtlMs} unless said. */
  markerTtlMs?: number | undefined;
}

/** What every counter store does (Redis: atomically across instances; in-process: for one). */
export interface BudgetCounterStore {
  reserve(request: ReserveRequest): Promise<ReserveOutcome>;
  settle(request: SettleRequest): Promise<void>;
  /** Creates the counter with `spentMicros` unless it exists already (another instance seeded it first). */
  seed(target: CounterTarget, spentMicros: number, now: number): Promise<void>;
  /** Current readings, in target order; a counter that does not exist reads `undefined`. */
  read(targets: readonly CounterTarget[], now: number): Promise<(CounterReading | undefined)[]>;
  /** Drops these counters and their open reservations (a deleted budget). */
  drop(targets: readonly CounterTarget[]): Promise<void>;
}

/** The identity of one counter: budget, its creation stamp and the period (see {@link CounterTarget}). */
export function counterIdentity(target: CounterTarget): string {
  return `${target.budgetId}\u0000${target.budgetStamp}\u0000${target.periodStart}`;
}

/** How long a settled or reserved marker is remembered, so a repeated settle adds nothing. */
export const reservationMarkerTtlMs = 24 * 60 * 60 * 1_000;
