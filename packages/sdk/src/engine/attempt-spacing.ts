/**
 * The hard limit on how often one model is tried within one execution: at most
 * {@link attemptSpacing.maxAttempts} attempts in any {@link attemptSpacing.windowMs}. Retries,
 * prefill fallbacks and reselections could otherwise stack up on a struggling model faster than it
 * can recover, and a burst from many players would look like an attack to its provider.
 */
export const attemptSpacing = Object.freeze({ maxAttempts: 2, windowMs: 1_500 });

/**
 * The earliest time a model may take its next attempt, given when its earlier attempts started
 * (oldest first): `now` while fewer than two started, otherwise one window after the second-last
 * start, so no window of 1.5 s ever holds three starts.
 */
export function earliestNextAttempt(starts: readonly number[], now: number): number {
  if (starts.length < attemptSpacing.maxAttempts) return now;
  const boundary = starts[starts.length - attemptSpacing.maxAttempts] ?? now;
  return Math.max(now, boundary + attemptSpacing.windowMs);
}
