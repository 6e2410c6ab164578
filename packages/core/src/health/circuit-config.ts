/**
 * Tuning of the per-model circuit breaker. Durations are in milliseconds of the injected clock.
 * One config is meant to be shared by every instance that shares circuit state, since the state
 * alone does not say which thresholds produced it.
 */
export interface CircuitConfig {
  /**
   * Health failures in a row, with no success between them, that open a closed circuit. Catches a
   * model that has gone down outright, even at low traffic where a failure rate is meaningless.
   */
  consecutiveFailureThreshold: number;
  /**
   * Share of failed attempts (0..1) over {@link CircuitConfig.failureRateWindowMs} at or above which
   * a closed circuit opens. Catches a model that fails often but not in long unbroken runs.
   */
  failureRateThreshold: number;
  /** How far back the failure rate looks; older outcomes no longer count. */
  failureRateWindowMs: number;
  /**
   * Attempts the window must hold before the failure rate may open the circuit, so that two
   * failures out of three at night do not take a model out of service.
   */
  failureRateMinimumAttempts: number;
  /**
   * Width of one bucket of the sliding window. The window stores counts per bucket rather than one
   * entry per attempt, so its size is bounded by `failureRateWindowMs / windowBucketMs` however
   * heavy the traffic; an outcome then counts for between `failureRateWindowMs - windowBucketMs`
   * and `failureRateWindowMs`.
   */
  windowBucketMs: number;
  /** How long the circuit stays open the first time it opens after having been closed. */
  baseCooldownMs: number;
  /**
   * Factor the cooldown grows by each time the circuit opens again without a successful probe in
   * between (cooldown = base × multiplier^(openCount − 1)), so a model that stays down is probed
   * less and less often.
   */
  cooldownMultiplier: number;
  /** Longest cooldown the growth may reach, so a model that recovers is noticed within this time. */
  maxCooldownMs: number;
  /**
   * A `rate_limited` or `overloaded` failure whose Retry-After is at least this long opens the
   * circuit on its own: the provider is telling us the model is unavailable until then, so sending
   * it more traffic only earns more refusals. Shorter Retry-Afters count as ordinary failures (the
   * engine's retry waits them out).
   */
  retryAfterOpenThresholdMs: number;
  /**
   * Longest Retry-After honoured. Guards against a bogus or quota-day header locking a model out
   * for days; a model still refusing after this long is simply probed and re-opened.
   */
  maxRetryAfterMs: number;
  /**
   * How long a half-open probe may stay unreported before its slot is considered abandoned (the
   * instance running it crashed or lost the outcome) and another probe is admitted. Longer than any
   * attempt's total deadline, so a slow but live probe is not doubled.
   */
  probeTimeoutMs: number;
}

/**
 * Defaults: open after 5 failures in a row, or at ≥ 50 % failures over the last 30 s once 10
 * attempts were seen; cooldown 5 s doubling up to 5 min; a rate limit or overload with a
 * Retry-After of 1 s or more opens at once, honoured up to 1 h; a probe unreported for 2 min is
 * considered abandoned.
 */
export const defaultCircuitConfig: Readonly<CircuitConfig> = Object.freeze({
  consecutiveFailureThreshold: 5,
  failureRateThreshold: 0.5,
  failureRateWindowMs: 30_000,
  failureRateMinimumAttempts: 10,
  windowBucketMs: 1_000,
  baseCooldownMs: 5_000,
  cooldownMultiplier: 2,
  maxCooldownMs: 300_000,
  retryAfterOpenThresholdMs: 1_000,
  maxRetryAfterMs: 3_600_000,
  probeTimeoutMs: 120_000,
});
