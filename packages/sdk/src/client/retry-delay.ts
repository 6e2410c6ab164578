/** How long to wait between attempts to reach the control plane. */
export interface RetryBackoff {
  /** Delay ceiling after the first failure; it doubles with every further failure. */
  baseMs: number;
  /** The ceiling never grows beyond this. */
  maxMs: number;
}

/**
 * The longest `Retry-After` obeyed. A server asking for more is most likely misconfigured; waiting
 * ten minutes still sheds its load without parking telemetry for hours.
 */
export const longestRetryAfterMs = 600_000;

/**
 * The wait before the next attempt after `failureCount` consecutive failures (1 for the first):
 * "equal jitter" exponential backoff, a random point in the upper half of the current ceiling, so
 * that many clients that failed together do not return together, yet none retries at once. A
 * server's `Retry-After` is a floor: the wait is never shorter than what it asked for (up to
 * {@link longestRetryAfterMs}).
 */
export function retryDelayMs(
  failureCount: number,
  backoff: RetryBackoff,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(failureCount, 1) - 1, 30);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, longestRetryAfterMs));
}

/** Checks backoff settings given by a host, naming the wrong one. */
export function checkRetryBackoff(backoff: RetryBackoff, optionName: string): void {
  if (!(Number.isFinite(backoff.baseMs) && backoff.baseMs > 0)) {
    throw new RangeError(
      `${optionName}.baseMs must be a positive number of milliseconds, got ${backoff.baseMs}.`,
    );
  }
  if (!(Number.isFinite(backoff.maxMs) && backoff.maxMs >= backoff.baseMs)) {
    throw new RangeError(
      `${optionName}.maxMs must be a number of milliseconds no smaller than baseMs (${backoff.baseMs}), got ${backoff.maxMs}.`,
    );
  }
}
