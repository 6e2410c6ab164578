import type { CircuitState } from '@switchboard/core';

/**
 * Whether going from `before` to `after` is a transition the fleet must hear of: the status, the
 * cooldown (`openedAt`, `openUntil`, `openCount`, `openReason`) or the half-open probe slot moved.
 * Counting alone (another failure while closed, another window bucket) is not: each instance counts
 * its own traffic, and sharing every count would cost a Redis round trip per request.
 */
export function isCircuitTransition(before: CircuitState, after: CircuitState): boolean {
  return (
    before.status !== after.status ||
    before.openedAt !== after.openedAt ||
    before.openUntil !== after.openUntil ||
    before.openCount !== after.openCount ||
    before.openReason !== after.openReason ||
    before.probeInFlight !== after.probeInFlight
  );
}

/** Called with a model's new circuit state after each local {@link isCircuitTransition}. */
export type CircuitTransitionListener = (modelId: string, state: CircuitState) => void;
