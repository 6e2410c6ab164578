import type { CircuitConfig } from './circuit-config.ts';
import { circuitCooldownMs } from './circuit-cooldown.ts';
import type { CircuitEvent } from './circuit-event.ts';
import type { CircuitOpenReason, CircuitState } from './circuit-state.ts';
import { closedCircuitState } from './circuit-state.ts';
import { admitAttempt } from './circuit-admission.ts';
import { settleCircuit } from './circuit-status.ts';
import { circuitWindowTotals, recordCircuitOutcome } from './circuit-window.ts';
import { isHealthFailureKind } from './health-failure-kind.ts';

type FailureEvent = Extract<CircuitEvent, { type: 'failure' }>;

/**
 * The circuit breaker of one model as a pure function: the state after `event` happened at `now`.
 * Same input, same output; nothing is read from a clock and nothing is mutated.
 *
 * - **closed**: a success clears the run of failures; a health failure extends it. The circuit
 *   opens after `consecutiveFailureThreshold` failures in a row, or when failures reach
 *   `failureRateThreshold` of the attempts in the last `failureRateWindowMs` once there are at
 *   least `failureRateMinimumAttempts`, or at once on a `rate_limited`/`overloaded` failure whose
 *   Retry-After is at least `retryAfterOpenThresholdMs`.
 * - **open**: attempts are refused until `openUntil` = now + the longer of the cooldown
 *   (`baseCooldownMs × cooldownMultiplier^(openCount − 1)`, capped at `maxCooldownMs`) and the
 *   Retry-After (capped at `maxRetryAfterMs`). Late outcomes of attempts sent before it opened
 *   change nothing, except that a later Retry-After pushes `openUntil` further out.
 * - **half-open** (the cooldown passed): one probe is admitted. Any success closes the circuit and
 *   resets the cooldown growth; any health failure re-opens it with the next, longer cooldown.
 *   Outcomes are not tied to attempts, so a late outcome of an older attempt counts as the probe's:
 *   it is evidence about the model all the same.
 *
 * Failures whose kind is about the request or the account (see `isHealthFailureKind`) never
 * change the status and are not counted; in half-open they only free the probe slot, since the
 * probe ended without telling us anything.
 */
export function transition(
  state: CircuitState,
  event: CircuitEvent,
  now: number,
  config: CircuitConfig,
): CircuitState {
  switch (event.type) {
    case 'attempt-start':
      return admitAttempt(state, now, config).state;
    case 'success':
      return afterSuccess(settleCircuit(state, now, config), now, config);
    case 'failure':
      return afterFailure(settleCircuit(state, now, config), event, now, config);
    case 'reset':
      return closedCircuitState();
  }
}

function afterSuccess(state: CircuitState, now: number, config: CircuitConfig): CircuitState {
  if (state.status === 'half-open') return closedCircuitState();
  if (state.status === 'open') return state;
  return {
    ...state,
    consecutiveFailures: 0,
    recentOutcomes: recordCircuitOutcome(state.recentOutcomes, 'success', now, config),
  };
}

function afterFailure(
  state: CircuitState,
  event: FailureEvent,
  now: number,
  config: CircuitConfig,
): CircuitState {
  if (!isHealthFailureKind(event.kind)) {
    return state.probeInFlight ? { ...state, probeInFlight: false, probeStartedAt: null } : state;
  }
  const retryAfterMs = honouredRetryAfterMs(event.retryAfterMs, config);
  if (state.status === 'open') {
    const openUntil = Math.max(state.openUntil ?? now, now + retryAfterMs);
    return openUntil === state.openUntil ? state : { ...state, openUntil };
  }
  if (state.status === 'half-open') return openCircuit(state, 'probe-failed', retryAfterMs, now, config);

  const counted: CircuitState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    recentOutcomes: recordCircuitOutcome(state.recentOutcomes, 'failure', now, config),
  };
  const reason = openingReason(counted, event, retryAfterMs, config);
  return reason === null ? counted : openCircuit(counted, reason, retryAfterMs, now, config);
}

/** Why a closed circuit that has just counted a failure must open, or `null` if it stays closed. */
function openingReason(
  state: CircuitState,
  event: FailureEvent,
  retryAfterMs: number,
  config: CircuitConfig,
): CircuitOpenReason | null {
  const saysUnavailable = event.kind === 'rate_limited' || event.kind === 'overloaded';
  if (saysUnavailable && retryAfterMs > 0 && retryAfterMs >= config.retryAfterOpenThresholdMs) {
    return 'retry-after';
  }
  if (state.consecutiveFailures >= config.consecutiveFailureThreshold) return 'consecutive-failures';
  const totals = circuitWindowTotals(state.recentOutcomes);
  if (
    totals.attempts >= config.failureRateMinimumAttempts &&
    totals.failures >= config.failureRateThreshold * totals.attempts
  ) {
    return 'failure-rate';
  }
  return null;
}

/** A Retry-After the breaker may act on: finite, positive, at most `maxRetryAfterMs`; else 0. */
function honouredRetryAfterMs(retryAfterMs: number | undefined, config: CircuitConfig): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return 0;
  return Math.min(retryAfterMs, config.maxRetryAfterMs);
}

function openCircuit(
  state: CircuitState,
  reason: CircuitOpenReason,
  retryAfterMs: number,
  now: number,
  config: CircuitConfig,
): CircuitState {
  const openCount = state.openCount + 1;
  const openForMs = Math.max(circuitCooldownMs(openCount, config), retryAfterMs);
  return {
    status: 'open',
    consecutiveFailures: 0,
    recentOutcomes: [],
    openedAt: now,
    openUntil: now + openForMs,
    openCount,
    openReason: reason,
    probeInFlight: false,
    probeStartedAt: null,
  };
}
