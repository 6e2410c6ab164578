import type { HealthView } from '@switchboard/core';
import { createInMemoryCircuitRegistry, type CircuitRegistry } from '@switchboard/sdk';
import type { ModelHealthService } from '../health/model-health.service.ts';

/**
 * The one set of circuit breakers this instance keeps: selection reads it (an open circuit ranks
 * last) and the engine consults and feeds it on every attempt, so both see the same health.
 */
export interface CircuitBreakers {
  /** What the engine takes as `circuits`. */
  readonly registry: CircuitRegistry;
  /** What selection takes as `health` at `now`. */
  healthView(now: number): HealthView;
  /**
   * The health module's service, when the breakers are its own. Gateway outcomes are then reported
   * to it with `circuitReported: true`: the engine already moved the circuit.
   */
  readonly health: ModelHealthService | undefined;
}

/** Injection token of the {@link CircuitBreakers}. */
export const CIRCUIT_BREAKERS = Symbol.for('switchboard.control-plane.circuit-breakers');

/**
 * The health module's `ModelHealthService` when it is present (it is a `CircuitRegistry` whose
 * circuits also take probes and SDK telemetry, and `/admin/health/models` shows them), else an
 * in-memory registry of the SDK's with the default thresholds.
 */
export function circuitBreakersFrom(health: ModelHealthService | undefined | null): CircuitBreakers {
  if (health !== undefined && health !== null) {
    return { registry: health, healthView: (now) => health.healthView(now), health };
  }
  const registry = createInMemoryCircuitRegistry();
  return { registry, healthView: (now) => registry.healthView(now), health: undefined };
}
