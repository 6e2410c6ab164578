/**
 * Where the simulator gets time from. Injected so tests can run simulated latency without waiting
 * (a virtual clock) while the embedded default uses real timers.
 */
export interface SimulatedClock {
  /** Current time, epoch milliseconds (or virtual milliseconds). */
  now(): number;
  /**
   * Resolves after `ms`; rejects as soon as `signal` aborts, so an aborted call stops waiting at
   * once instead of sleeping out its simulated latency.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** Real time: `Date.now()` and `setTimeout`, with the timer cleared on abort. */
export const realClock: SimulatedClock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** A clock whose time only moves when someone sleeps on it. */
export interface VirtualClock extends SimulatedClock {
  /** Sleeps not yet due. */
  pendingSleeps(): number;
}

interface PendingSleep {
  dueAt: number;
  order: number;
  resolve: () => void;
}

/**
 * A virtual clock for tests: `sleep(ms)` completes without real waiting, and time jumps to the
 * earliest due sleep once everything else has run (a macrotask later), so concurrent sleepers wake
 * in the right order and `now()` reads what real time would have read. Simulated latencies stay
 * measurable (`now()` after a 700 ms first token reads 700 ms later) while the test takes
 * microseconds.
 */
export function createVirtualClock(startAt = 0): VirtualClock {
  let current = startAt;
  let order = 0;
  let flushScheduled = false;
  const pending: PendingSleep[] = [];

  const flush = (): void => {
    flushScheduled = false;
    pending.sort((left, right) => left.dueAt - right.dueAt || left.order - right.order);
    const next = pending.shift();
    if (next === undefined) return;
    current = Math.max(current, next.dueAt);
    next.resolve();
    scheduleFlush();
  };
  const scheduleFlush = (): void => {
    if (flushScheduled || pending.length === 0) return;
    flushScheduled = true;
    setImmediate(flush);
  };

  return {
    now: () => current,
    pendingSleeps: () => pending.length,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortReason(signal));
          return;
        }
        const entry: PendingSleep = {
          dueAt: current + Math.max(0, ms),
          order: (order += 1),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const index = pending.indexOf(entry);
          if (index !== -1) pending.splice(index, 1);
          reject(abortReason(signal as AbortSignal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.push(entry);
        scheduleFlush();
      });
    },
  };
}
