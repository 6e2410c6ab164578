import { defaultCircuitConfig, type CircuitConfig } from '@switchboard/core';

/** How readiness, per-model health and the probe scheduler behave; every field has a default. */
export interface HealthOptions {
  /** How long `/health/ready` waits for each dependency (database, Redis) before calling it down. */
  readinessTimeoutMs: number;
  /**
   * Time between probe rounds (60 s). 0 turns active probes off; passive outcomes still count.
   * Each wait is jittered by `probeJitterRatio` so instances and models do not probe in lockstep.
   */
  probeIntervalMs: number;
  /** Spread of each wait, as a share of the interval (0.1 = ±10 %). */
  probeJitterRatio: number;
  /** A probe that has not answered after this long counts as a `timeout` failure. */
  probeTimeoutMs: number;
  /** Probes in flight at once, so a large registry does not burst every provider at the same moment. */
  probeConcurrency: number;
  /** The circuit breaker's thresholds; the gateway's engine must use the same (it reads them from here). */
  circuitConfig: CircuitConfig;
  /** How far back the error rate and latency quantiles look. */
  outcomeWindowMs: number;
  /** Most outcomes kept per model for those statistics (a bounded reservoir of the latest). */
  outcomeWindowSize: number;
  /** Random source for the jitter; tests pass a fixed one. */
  random: () => number;
}

/** The defaults of {@link HealthOptions}. */
export const defaultHealthOptions: Readonly<HealthOptions> = Object.freeze({
  readinessTimeoutMs: 2_000,
  probeIntervalMs: 60_000,
  probeJitterRatio: 0.1,
  probeTimeoutMs: 10_000,
  probeConcurrency: 4,
  circuitConfig: defaultCircuitConfig,
  outcomeWindowMs: 15 * 60_000,
  outcomeWindowSize: 256,
  random: Math.random,
});

/** Injection token of the resolved {@link HealthOptions}. */
export const HEALTH_OPTIONS = Symbol.for('switchboard.control-plane.health-options');
