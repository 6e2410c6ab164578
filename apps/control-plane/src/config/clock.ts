/**
 * Where the control plane reads the time. Injected so that snapshot stamps and default price
 * versions are testable without waiting; the same shape as the SDK's clocks.
 */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = Object.freeze({ now: (): number => Date.now() });

/** Injection token of the {@link Clock}. */
export const CLOCK = Symbol.for('switchboard.control-plane.clock');
