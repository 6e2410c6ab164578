import { z } from 'zod';
import type { CircuitStatus } from '../selection/selection-types.ts';

/**
 * Attempts that ended in one bucket of the sliding window. Counts rather than one entry per
 * attempt keep the state small however heavy the traffic.
 */
export interface CircuitOutcomeBucket {
  /** Start of the bucket, a multiple of `windowBucketMs`, in milliseconds of the injected clock. */
  startMs: number;
  successes: number;
  /** Health failures only: failures that say nothing about the model are never recorded. */
  failures: number;
}

/** Why the circuit last opened, so a dashboard or a rejection reason can say it in words. */
export type CircuitOpenReason = 'consecutive-failures' | 'failure-rate' | 'retry-after' | 'probe-failed';

/**
 * The circuit breaker of one model, as plain JSON-serialisable data: it is stored in Redis and
 * shared by every instance, so it holds no functions, no `Date`s and no `undefined` (absent
 * values are `null`, which survives `JSON.stringify`).
 *
 * Lifecycle: `closed` (traffic flows; outcomes are counted) → `open` (after too many failures, or
 * a long Retry-After; attempts are refused until `openUntil`) → `half-open` (the cooldown passed;
 * exactly one probe attempt is admitted) → `closed` when the probe succeeds, or `open` again with a
 * longer cooldown when it fails. Change it only through `transition` and `admitAttempt`.
 */
export interface CircuitState {
  /**
   * As last written. An `open` circuit whose `openUntil` has passed is *read* as `half-open` (see
   * `circuitStatusAt`) without anyone having to write that change.
   */
  status: CircuitStatus;
  /** Health failures in a row since the last success, while closed; 0 in other states. */
  consecutiveFailures: number;
  /**
   * Outcomes of the recent window while closed, oldest first, at most one bucket per
   * `windowBucketMs`. Emptied whenever the status changes: a fresh closed period starts clean.
   */
  recentOutcomes: CircuitOutcomeBucket[];
  /** When the circuit last opened; `null` while closed. Kept during half-open for display. */
  openedAt: number | null;
  /** Until when attempts are refused; `null` while closed. At or after `openedAt`. */
  openUntil: number | null;
  /**
   * Times the circuit has opened in a row without a successful close: the cooldown grows with it
   * and a successful probe resets it to 0.
   */
  openCount: number;
  /** Why the circuit last opened; `null` while closed. */
  openReason: CircuitOpenReason | null;
  /** Half-open admits a single probe; true while it is running, so other attempts are refused. */
  probeInFlight: boolean;
  /** When the running probe was admitted, so an abandoned probe can be detected; else `null`. */
  probeStartedAt: number | null;
}

/** A healthy circuit with no history: how every model starts and what a reset returns to. */
export function closedCircuitState(): CircuitState {
  return {
    status: 'closed',
    consecutiveFailures: 0,
    recentOutcomes: [],
    openedAt: null,
    openUntil: null,
    openCount: 0,
    openReason: null,
    probeInFlight: false,
    probeStartedAt: null,
  };
}

const count = z.number().int().nonnegative();
const instant = z.number().finite();

/**
 * Checks a circuit state read back from shared storage (Redis). A state that fails it was written
 * by an incompatible version or corrupted; the safe reaction is to start from
 * {@link closedCircuitState} rather than to refuse traffic.
 */
export const circuitStateSchema: z.ZodType<CircuitState> = z.strictObject({
  status: z.enum(['closed', 'half-open', 'open']),
  consecutiveFailures: count,
  recentOutcomes: z.array(z.strictObject({ startMs: instant, successes: count, failures: count })),
  openedAt: instant.nullable(),
  openUntil: instant.nullable(),
  openCount: count,
  openReason: z.enum(['consecutive-failures', 'failure-rate', 'retry-after', 'probe-failed']).nullable(),
  probeInFlight: z.boolean(),
  probeStartedAt: instant.nullable(),
});
