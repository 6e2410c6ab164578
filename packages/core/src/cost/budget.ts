/**
 * Budget arithmetic. The control plane's Redis scripts implement these same rules atomically, so
 * they are kept small and exact: integer micro-dollars, no rounding, no clock.
 *
 * A call first reserves its worst-case cost; when it ends, `settle` swaps the reservation for what
 * it really cost, or `release` drops it when nothing was billed. `spent + reserved` is therefore
 * what the budget has committed, and a hard budget admits a reservation only if the committed total
 * stays within the limit.
 */

/**
 * A spending limit and what has been charged against it. `hard` budgets refuse calls that could
 * exceed the limit; `soft` budgets always admit and report that they are over, for limits that
 * should alert rather than interrupt a player mid-story.
 */
export interface Budget {
  enforcement: 'hard' | 'soft';
  /** Integer micro-dollars the period may spend. */
  limitMicros: number;
  /** Integer micro-dollars of settled calls. */
  spentMicros: number;
  /** Integer micro-dollars held for calls still running. */
  reservedMicros: number;
}

/** The result of {@link reserve}. */
export type ReserveResult =
  | {
      ok: true;
      budget: Budget;
      /** The commitment now exceeds the limit; only a soft budget admits such a reservation. */
      overLimit: boolean;
    }
  | {
      ok: false;
      /** The reservation would take a hard budget past its limit; try a cheaper model or a smaller output allowance. */
      reason: 'over-limit';
      requestedMicros: number;
      /** What could still be reserved: the most a call may cost right now. */
      availableMicros: number;
    };

/** The result of {@link settle}. */
export interface SettleResult {
  budget: Budget;
  /** What was added to `spentMicros`: the actual cost, or the reservation when the cost is unknown. */
  chargedMicros: number;
  /** The actual cost was unknown (no price or no usage), so the reservation was charged instead. */
  actualUnknown: boolean;
  /** How much the charge exceeded the reservation: the only way a hard budget goes past its limit. */
  overrunMicros: number;
  /** The commitment now exceeds the limit. */
  overLimit: boolean;
}

/**
 * Holds `amountMicros` against the budget. A hard budget refuses when `spent + reserved + amount`
 * would exceed the limit; a soft budget always admits and says whether it is now over.
 */
export function reserve(budget: Budget, amountMicros: number): ReserveResult {
  assertBudget(budget);
  assertMicros('amountMicros', amountMicros);
  const committed = committedMicros(budget) + amountMicros;
  const overLimit = committed > budget.limitMicros;
  if (overLimit && budget.enforcement === 'hard') {
    return {
      ok: false,
      reason: 'over-limit',
      requestedMicros: amountMicros,
      availableMicros: remaining(budget),
    };
  }
  return { ok: true, budget: { ...budget, reservedMicros: budget.reservedMicros + amountMicros }, overLimit };
}

/**
 * Ends a reserved call: releases `reservedMicros` and charges `actualMicros`, which may exceed the
 * reservation (a provider can bill more than the worst case we computed, for example after a price
 * change). An unknown actual cost (`undefined`) is charged at the reservation and flagged, so an
 * unpriced call is never free.
 */
export function settle(
  budget: Budget,
  reservedMicros: number,
  actualMicros: number | undefined,
): SettleResult {
  const released = release(budget, reservedMicros);
  if (actualMicros !== undefined) assertMicros('actualMicros', actualMicros);
  const chargedMicros = actualMicros ?? reservedMicros;
  const settled = { ...released, spentMicros: released.spentMicros + chargedMicros };
  return {
    budget: settled,
    chargedMicros,
    actualUnknown: actualMicros === undefined,
    overrunMicros: Math.max(0, chargedMicros - reservedMicros),
    overLimit: committedMicros(settled) > settled.limitMicros,
  };
}

/**
 * Drops a reservation without charging it, for calls that never reached the provider or that the
 * provider did not bill. Releasing more than is reserved means a reservation was ended twice, which
 * would silently hand its money to other calls, so it throws instead.
 */
export function release(budget: Budget, reservedMicros: number): Budget {
  assertBudget(budget);
  assertMicros('reservedMicros', reservedMicros);
  if (reservedMicros > budget.reservedMicros) {
    throw new RangeError(
      `Cannot release ${reservedMicros} micro-dollars: only ${budget.reservedMicros} are reserved. ` +
        'Settle or release each reservation exactly once, with the amount that reserve() admitted.',
    );
  }
  return { ...budget, reservedMicros: budget.reservedMicros - reservedMicros };
}

/** What can still be reserved before the limit: never negative, even when a budget is overrun. */
export function remaining(budget: Budget): number {
  return Math.max(0, budget.limitMicros - committedMicros(budget));
}

function committedMicros(budget: Budget): number {
  return budget.spentMicros + budget.reservedMicros;
}

function assertBudget(budget: Budget): void {
  assertMicros('limitMicros', budget.limitMicros);
  assertMicros('spentMicros', budget.spentMicros);
  assertMicros('reservedMicros', budget.reservedMicros);
}

function assertMicros(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `${name} must be a non-negative integer number of micro-dollars, got ${value}. ` +
        'Convert dollars with Math.ceil(dollars * 1_000_000) where they enter the system.',
    );
  }
}
