/**
 * How long a budget's spending accumulates before it starts again from zero. Periods are calendar
 * periods in UTC, so every instance, and the Redis keys they share, agree on when a day ends.
 */
export const budgetPeriods = ['day', 'month', 'lifetime'] as const;

/** One of {@link budgetPeriods}. */
export type BudgetPeriod = (typeof budgetPeriods)[number];

/** Whose spending a budget limits. `global` has a single budget per period (id by convention `global`). */
export const budgetScopes = ['player', 'session', 'tenant', 'global'] as const;

/** One of {@link budgetScopes}. */
export type BudgetScope = (typeof budgetScopes)[number];

/** The period that contains a given instant. */
export interface PeriodWindow {
  /** Epoch milliseconds at which the period began (0 for `lifetime`). */
  start: number;
  /** Epoch milliseconds at which spending starts again from zero; `null` for `lifetime`, which never resets. */
  resetsAt: number | null;
}

/**
 * Identifies one budget counter: whose, which period, and which occurrence of it. Plain data, so
 * the control plane's key builder (Redis) and its ledger (PostgreSQL) derive their keys from the
 * same facts; a new period has a new `periodStart`, and therefore a fresh counter.
 */
export interface BudgetKey {
  scope: BudgetScope;
  /** The player, session or tenant id; `global` for the global scope. */
  id: string;
  period: BudgetPeriod;
  /** {@link PeriodWindow.start} of the period the key counts. */
  periodStart: number;
}

/**
 * The period containing `nowEpochMs`: a day runs from UTC midnight to the next, a month from the
 * first of the month (UTC) to the first of the next. The time is passed in, never read here.
 * `timeZone` is only `'UTC'` for now; it is a parameter so that a per-tenant zone can be added
 * without changing callers.
 */
export function periodWindow(
  period: BudgetPeriod,
  nowEpochMs: number,
  timeZone: 'UTC' = 'UTC',
): PeriodWindow {
  if (!Number.isFinite(nowEpochMs)) {
    throw new RangeError(`nowEpochMs must be a finite epoch time in milliseconds, got ${nowEpochMs}.`);
  }
  if (timeZone !== 'UTC')
    throw new RangeError(`Only UTC budget periods are supported, got ${String(timeZone)}.`);
  if (period === 'lifetime') return { start: 0, resetsAt: null };
  const now = new Date(nowEpochMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'day') {
    const day = now.getUTCDate();
    return { start: Date.UTC(year, month, day), resetsAt: Date.UTC(year, month, day + 1) };
  }
  return { start: Date.UTC(year, month, 1), resetsAt: Date.UTC(year, month + 1, 1) };
}

/** The counter that a call at `nowEpochMs` charges, for the given scope, id and period. */
export function budgetKey(options: {
  scope: BudgetScope;
  id: string;
  period: BudgetPeriod;
  nowEpochMs: number;
}): BudgetKey {
  const { scope, id, period, nowEpochMs } = options;
  if (id.length === 0) throw new RangeError(`A ${scope} budget needs a non-empty id.`);
  return { scope, id, period, periodStart: periodWindow(period, nowEpochMs).start };
}
