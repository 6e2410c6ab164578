import {
  counterIdentity,
  type BudgetCounterStore,
  type CounterReading,
  type CounterTarget,
  type ReserveOutcome,
  type ReserveRequest,
  type SettleRequest,
} from './budget-counters.ts';

interface LocalCounter {
  spent: number;
  reserved: number;
  seededAt: number;
  expiresAt: number | null;
  /** Open reservations: amount and the instant it lapses. */
  open: Map<string, { amount: number; holdUntil: number }>;
}

/**
 * The budget counters of one process, with exactly the rules of the Redis scripts (see
 * `redis-budget-counters.ts`): the store of a single instance without Redis, and the stand-in
 * while Redis is unreachable and budgets fail open. Everything runs synchronously inside each call,
 * so concurrent requests of this process cannot interleave within a reservation.
 */
export class LocalBudgetCounters implements BudgetCounterStore {
  private readonly counters = new Map<string, LocalCounter>();
  /** Reservation ids already settled (or reserved), so a repeat changes nothing. */
  private readonly markers = new Map<string, 'reserved' | 'settled'>();

  reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    this.dropExpired(request.now);
    const counters = request.targets.map((target) => this.counters.get(keyOf(target)));
    if (this.markers.has(request.reservationId)) {
      return Promise.resolve({ status: 'reserved', readings: counters.map(readingOf) });
    }
    const unseededIndexes = counters.flatMap((counter, index) => (counter === undefined ? [index] : []));
    if (unseededIndexes.length > 0) return Promise.resolve({ status: 'unseeded', unseededIndexes });
    const seeded = counters as LocalCounter[];
    for (const counter of seeded) purge(counter, request.now);
    const refusedIndex = request.targets.findIndex((target, index) => {
      const counter = seeded[index] as LocalCounter;
      return target.hard && counter.spent + counter.reserved + request.amountMicros > target.limitMicros;
    });
    if (refusedIndex !== -1) {
      return Promise.resolve({ status: 'refused', refusedIndex, readings: seeded.map(readingOf) });
    }
    for (const counter of seeded) {
      counter.reserved += request.amountMicros;
      counter.open.set(request.reservationId, { amount: request.amountMicros, holdUntil: request.holdUntil });
    }
    this.markers.set(request.reservationId, 'reserved');
    return Promise.resolve({ status: 'reserved', readings: seeded.map(readingOf) });
  }

  settle(request: SettleRequest): Promise<void> {
    if (this.markers.get(request.reservationId) === 'settled') return Promise.resolve();
    for (const target of request.targets) {
      const counter = this.counters.get(keyOf(target));
      if (counter === undefined) continue;
      const held = counter.open.get(request.reservationId);
      if (held !== undefined) {
        counter.reserved -= held.amount;
        counter.open.delete(request.reservationId);
      }
      if (held !== undefined || seededBeforeCharge(counter.seededAt, request)) {
        counter.spent += request.chargeMicros;
      }
    }
    this.markers.set(request.reservationId, 'settled');
    return Promise.resolve();
  }

  seed(target: CounterTarget, spentMicros: number, now: number): Promise<void> {
    const key = keyOf(target);
    if (!this.counters.has(key)) {
      this.counters.set(key, {
        spent: spentMicros,
        reserved: 0,
        seededAt: now,
        expiresAt: target.expiresAt,
        open: new Map(),
      });
    }
    return Promise.resolve();
  }

  read(targets: readonly CounterTarget[], now: number): Promise<(CounterReading | undefined)[]> {
    this.dropExpired(now);
    return Promise.resolve(
      targets.map((target) => {
        const counter = this.counters.get(keyOf(target));
        if (counter === undefined) return undefined;
        purge(counter, now);
        return readingOf(counter);
      }),
    );
  }

  drop(targets: readonly CounterTarget[]): Promise<void> {
    for (const target of targets) this.counters.delete(keyOf(target));
    return Promise.resolve();
  }

  /** Forgets every counter, so the next use seeds afresh (from a ledger that has caught up). */
  clear(): void {
    this.counters.clear();
    this.markers.clear();
  }

  private dropExpired(now: number): void {
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt !== null && counter.expiresAt <= now) this.counters.delete(key);
    }
    // Markers only guard against repeats within a request's life; a bounded map is enough.
    if (this.markers.size > 100_000) this.markers.clear();
  }
}

/** Whether a counter that does not hold the reservation lacks this charge in its seed (see `SettleRequest`). */
function seededBeforeCharge(seededAt: number, request: SettleRequest): boolean {
  const recordedAt = request.ledgerRecordedAt;
  if (recordedAt === undefined) return seededAt < request.settledAt;
  return recordedAt === null || seededAt < recordedAt;
}

function keyOf(target: CounterTarget): string {
  return counterIdentity(target);
}

function purge(counter: LocalCounter, now: number): void {
  for (const [id, held] of counter.open) {
    if (held.holdUntil > now) continue;
    counter.reserved -= held.amount;
    counter.open.delete(id);
  }
}

function readingOf(counter: LocalCounter | undefined): CounterReading {
  return { spentMicros: counter?.spent ?? 0, reservedMicros: counter?.reserved ?? 0 };
}
