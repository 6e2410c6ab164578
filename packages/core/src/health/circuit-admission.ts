import type { CircuitConfig } from './circuit-config.ts';
import type { CircuitState } from './circuit-state.ts';
import { settleCircuit } from './circuit-status.ts';

/**
 * Whether one attempt may be sent to a model now, and the circuit state to store afterwards. When
 * the attempt is the half-open probe, `state` has claimed the probe slot, so storing it is what
 * keeps a second concurrent attempt out: check and claim are one step, which shared storage can
 * run atomically (a Redis transaction or script).
 */
export type CircuitAdmission =
  | {
      admitted: true;
      /** `closed`: normal traffic. `probe`: the single half-open trial; report its outcome. */
      reason: 'closed' | 'probe';
      state: CircuitState;
    }
  | {
      admitted: false;
      /** `open`: cooling down. `probe-in-flight`: half-open, and another attempt is the probe. */
      reason: 'open' | 'probe-in-flight';
      state: CircuitState;
      /**
       * When asking again is sure to be worthwhile, in milliseconds of the injected clock: the end
       * of the cooldown, or when the running probe would count as abandoned (its outcome may free
       * the slot sooner).
       */
      retryAt: number;
    };

/**
 * Asks the circuit whether an attempt may go through at `now`. Closed admits everything; open
 * refuses until `openUntil`, then reads as half-open; half-open admits exactly one probe and
 * refuses every other attempt until that probe's outcome is reported (or it is abandoned, after
 * `probeTimeoutMs`).
 */
export function admitAttempt(state: CircuitState, now: number, config: CircuitConfig): CircuitAdmission {
  const current = settleCircuit(state, now, config);
  if (current.status === 'closed') return { admitted: true, reason: 'closed', state: current };
  if (current.status === 'open') {
    return { admitted: false, reason: 'open', state: current, retryAt: current.openUntil ?? now };
  }
  if (current.probeInFlight) {
    const probeStartedAt = current.probeStartedAt ?? now;
    return {
      admitted: false,
      reason: 'probe-in-flight',
      state: current,
      retryAt: probeStartedAt + config.probeTimeoutMs,
    };
  }
  return { admitted: true, reason: 'probe', state: { ...current, probeInFlight: true, probeStartedAt: now } };
}
