import type { CircuitConfig } from './circuit-config.ts';
import type { CircuitOutcomeBucket } from './circuit-state.ts';

/** Totals of the sliding window at one instant. */
export interface CircuitWindowTotals {
  attempts: number;
  failures: number;
}

/**
 * Buckets still inside the window at `now`: a bucket leaves once its start is
 * `failureRateWindowMs` old, so no outcome counts for longer than the window. Also keeps at most
 * one window's worth of buckets, should clocks of different instances disagree.
 */
export function pruneCircuitWindow(
  buckets: readonly CircuitOutcomeBucket[],
  now: number,
  config: CircuitConfig,
): CircuitOutcomeBucket[] {
  const oldestStart = now - config.failureRateWindowMs;
  const kept = buckets.filter((bucket) => bucket.startMs > oldestStart);
  const maximumBuckets = Math.ceil(config.failureRateWindowMs / config.windowBucketMs) + 1;
  return kept.length > maximumBuckets ? kept.slice(kept.length - maximumBuckets) : kept;
}

/** The window with one more outcome at `now`, pruned, buckets in time order. */
export function recordCircuitOutcome(
  buckets: readonly CircuitOutcomeBucket[],
  outcome: 'success' | 'failure',
  now: number,
  config: CircuitConfig,
): CircuitOutcomeBucket[] {
  const startMs = Math.floor(now / config.windowBucketMs) * config.windowBucketMs;
  const add = (bucket: CircuitOutcomeBucket): CircuitOutcomeBucket =>
    outcome === 'success'
      ? { ...bucket, successes: bucket.successes + 1 }
      : { ...bucket, failures: bucket.failures + 1 };
  const existing = buckets.some((bucket) => bucket.startMs === startMs);
  const updated = existing
    ? buckets.map((bucket) => (bucket.startMs === startMs ? add(bucket) : bucket))
    : [...buckets, add({ startMs, successes: 0, failures: 0 })].sort((a, b) => a.startMs - b.startMs);
  return pruneCircuitWindow(updated, now, config);
}

/** Attempts and failures the window holds (callers prune first). */
export function circuitWindowTotals(buckets: readonly CircuitOutcomeBucket[]): CircuitWindowTotals {
  let attempts = 0;
  let failures = 0;
  for (const bucket of buckets) {
    attempts += bucket.successes + bucket.failures;
    failures += bucket.failures;
  }
  return { attempts, failures };
}
