/**
 * Where the engine gets time from. Deadlines, backoff and Retry-After waits all go through it, so a
 * test can run them on a virtual clock and a host can run them on its own timers. Timers rather
 * than a `sleep` are the primitive because the engine keeps exactly one watchdog timer per attempt
 * and re-arms it cheaply; a `sleep`-only clock is adapted with {@link engineClockFromSleep}.
 */
export interface EngineClock {
  /** Current time in milliseconds (epoch milliseconds for the real clock). Attempt timings use it. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link EngineClock.clearTimer}. */
  setTimer(callback: () => void, ms: number): unknown;
  /** Cancels a timer that has not fired yet; a handle that already fired is ignored. */
  clearTimer(handle: unknown): void;
}

/** The real clock: `Date.now()` and Node's timers. */
export const realEngineClock: EngineClock = Object.freeze({
  now: () => Date.now(),
  setTimer: (callback: () => void, ms: number): unknown => setTimeout(callback, Math.max(0, ms)),
  clearTimer: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/**
 * A clock that only knows how to sleep, such as provider-sim's `createVirtualClock()`: its `sleep`
 * resolves after `ms` and rejects as soon as `signal` aborts.
 */
export interface SleepClock {
  /** Current time in milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const ignore = (): void => undefined;

/**
 * Adapts a {@link SleepClock} to an {@link EngineClock}: each timer is a sleep that an
 * `AbortController` cancels. Use it to run the engine and the simulated models on one virtual
 * clock, so a test of a 1.5 s rule takes microseconds and reads exact times.
 */
export function engineClockFromSleep(clock: SleepClock): EngineClock {
  return {
    now: () => clock.now(),
    setTimer(callback: () => void, ms: number): unknown {
      const controller = new AbortController();
      clock.sleep(Math.max(0, ms), controller.signal).then(() => {
        if (!controller.signal.aborted) callback();
      }, ignore);
      return controller;
    },
    clearTimer(handle: unknown): void {
      if (handle instanceof AbortController) handle.abort();
    },
  };
}

/**
 * Waits `ms` on `clock`. Resolves `true` when the time passed and `false` at once when `signal`
 * aborts first, so a caller who cancels never waits out a backoff.
 */
export function sleepOn(clock: EngineClock, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clock.clearTimer(handle);
      resolve(false);
    };
    const handle = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
