/**
 * Where the client reads the time. Injected so that session expiry, snapshot stamps and telemetry
 * timestamps are testable without waiting; the engine's clock has the same `now()`, so one object
 * can serve both.
 */
export interface ClientClock {
  /** Current time in epoch milliseconds. */
  now(): number;
}

/** The real wall clock. */
export const systemClock: ClientClock = Object.freeze({ now: (): number => Date.now() });
