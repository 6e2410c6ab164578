import {
  admitAttempt,
  circuitStatusAt,
  closedCircuitState,
  defaultCircuitConfig,
  transition,
  type CircuitAdmission,
  type CircuitConfig,
  type CircuitEvent,
  type CircuitState,
  type CircuitStatus,
  type HealthView,
} from '@switchboard/core';

/**
 * Where the engine keeps the circuit breaker of every model. Breakers are only useful when they
 * outlive one request, so a host keeps one registry for its lifetime and passes it to every
 * `execute`. An interface because one process is not the whole fleet: the control plane backs it
 * with Redis (check-and-claim in one script), which is why both methods may return a promise.
 */
export interface CircuitRegistry {
  /**
   * Asks whether an attempt on `modelId` may go now, and claims the half-open probe slot when it
   * is the probe: `admitAttempt` from core, with the new state stored in the same step.
   */
  admit(modelId: string, now: number): CircuitAdmission | Promise<CircuitAdmission>;
  /** Records an attempt's outcome (`success` or `failure` with its kind and Retry-After). */
  report(modelId: string, event: CircuitEvent, now: number): void | Promise<void>;
  /**
   * Optional read-only look at a model's status at `at` (an open circuit past its cooldown reads
   * half-open), claiming nothing. With it the engine never waits out a backoff or a Retry-After for
   * a retry the circuit would refuse anyway (a long Retry-After opens it): it fails over at once.
   */
  statusOf?(modelId: string, at: number): CircuitStatus | Promise<CircuitStatus>;
}

/** An in-process {@link CircuitRegistry} that can also say what it holds (for selection and tests). */
export interface InMemoryCircuitRegistry extends CircuitRegistry {
  /** The stored state of a model's circuit; a model never seen reads as closed. */
  stateOf(modelId: string): CircuitState;
  /** What selection should see at `now`, so a host feeds the same breakers into `select()`. */
  healthView(now: number): HealthView;
  /** The status of one model at `at` (an open circuit past its cooldown reads half-open). */
  statusOf(modelId: string, at: number): CircuitStatus;
  /** Forgets every circuit (an operator's reset, or a fresh test). */
  clear(): void;
}

/** How to build an {@link InMemoryCircuitRegistry}. */
export interface InMemoryCircuitRegistryOptions {
  /** Breaker thresholds and cooldowns; default `defaultCircuitConfig` from core. One config per registry. */
  config?: CircuitConfig | undefined;
}

/**
 * Circuit breakers held in a `Map`, for one process: the SDK in a game service, or a single
 * control-plane instance without Redis. Every change goes through core's pure `admitAttempt` and
 * `transition`, so it behaves exactly like the shared store.
 */
export function createInMemoryCircuitRegistry(
  options: InMemoryCircuitRegistryOptions = {},
): InMemoryCircuitRegistry {
  const config = options.config ?? defaultCircuitConfig;
  const states = new Map<string, CircuitState>();
  const stateOf = (modelId: string): CircuitState => states.get(modelId) ?? closedCircuitState();
  return {
    admit(modelId: string, now: number): CircuitAdmission {
      const current = states.get(modelId);
      if (current === undefined) {
        // Nothing known: closed, nothing to store. The common case, kept allocation-free.
        return closedAdmission;
      }
      const admission = admitAttempt(current, now, config);
      if (admission.state !== current) states.set(modelId, admission.state);
      return admission;
    },
    report(modelId: string, event: CircuitEvent, now: number): void {
      const current = stateOf(modelId);
      const next = transition(current, event, now, config);
      if (next !== current) states.set(modelId, next);
    },
    stateOf,
    healthView(now: number): HealthView {
      return { circuitOf: (modelId: string) => circuitStatusAt(stateOf(modelId), now) };
    },
    statusOf(modelId: string, at: number): CircuitStatus {
      return circuitStatusAt(stateOf(modelId), at);
    },
    clear(): void {
      states.clear();
    },
  };
}

const closedAdmission: CircuitAdmission = Object.freeze({
  admitted: true,
  reason: 'closed',
  state: Object.freeze(closedCircuitState()),
}) as CircuitAdmission;

/**
 * The registry `execute` uses when the host passes none: one per process, so breakers work out of
 * the box for a host that forgets to pass its own. Hosts that run several registries (tenants) or
 * share state across instances pass their own.
 */
export const sharedCircuitRegistry: InMemoryCircuitRegistry = createInMemoryCircuitRegistry();
