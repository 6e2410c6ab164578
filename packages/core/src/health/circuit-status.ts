import type { CircuitStatus, HealthView } from '../selection/selection-types.ts';
import type { CircuitConfig } from './circuit-config.ts';
import type { CircuitState } from './circuit-state.ts';

/**
 * The circuit as it stands at `now`, with the changes time alone brings: an `open` circuit whose
 * cooldown has passed becomes `half-open`, and a probe unreported for `probeTimeoutMs` is
 * considered abandoned, freeing the probe slot. Returns the same object when nothing changed.
 */
export function settleCircuit(state: CircuitState, now: number, config: CircuitConfig): CircuitState {
  if (state.status === 'open' && state.openUntil !== null && now >= state.openUntil) {
    return { ...state, status: 'half-open', probeInFlight: false, probeStartedAt: null };
  }
  if (
    state.status === 'half-open' &&
    state.probeInFlight &&
    (state.probeStartedAt === null || now >= state.probeStartedAt + config.probeTimeoutMs)
  ) {
    return { ...state, probeInFlight: false, probeStartedAt: null };
  }
  return state;
}

/**
 * The status selection should see at `now`: an `open` circuit whose cooldown has elapsed reads as
 * `half-open` (worth one probe) even though nobody has written that change yet.
 *
 * @param _config accepted so that callers can pass the same `(state, now, config)` triple as to
 *   `transition` and `admitAttempt`; the status depends on the state and the time alone.
 */
export function circuitStatusAt(state: CircuitState, now: number, _config?: CircuitConfig): CircuitStatus {
  if (state.status === 'open' && state.openUntil !== null && now >= state.openUntil) return 'half-open';
  return state.status;
}

/**
 * A {@link HealthView} for selection over the circuits known at `now`. A model without a circuit
 * reads as `closed`: a new model must be selectable before anything has been observed about it.
 */
export function circuitHealthView(circuits: ReadonlyMap<string, CircuitState>, now: number): HealthView {
  return {
    circuitOf(modelId: string): CircuitStatus {
      const state = circuits.get(modelId);
      return state === undefined ? 'closed' : circuitStatusAt(state, now);
    },
  };
}
