import type { OptimizerState, RegistrySnapshot } from '@switchboard/core';

/** Called with every new snapshot a source adopts. */
export type RegistryListener = (snapshot: RegistrySnapshot) => void;

/**
 * Where the client gets the registry it selects against. `current()` is synchronous so a request
 * never waits on the registry: a source always holds a complete, validated snapshot, fetched or
 * loaded before it was handed out, and swaps it whole when a newer one has been validated.
 */
export interface RegistrySource {
  /** The snapshot in force now. */
  current(): RegistrySnapshot;
  /** Calls `listener` with each newer snapshot; returns a function that stops it. */
  subscribe(listener: RegistryListener): () => void;
  /** Stops watching, polling and listening; `current()` keeps returning the last snapshot. */
  close(): Promise<void>;
  /**
   * The fleet's learned statistics (the control plane's optimiser state), for a source that fetches
   * them; `undefined` until one was fetched. Optional: a file or fixed snapshot has none.
   */
  optimizerState?(): OptimizerState | undefined;
  /** Calls `listener` with each new fleet state; returns a function that stops it. */
  subscribeOptimizerState?(listener: (state: OptimizerState) => void): () => void;
}

/** Something a live source could not do; it keeps the last good snapshot meanwhile. */
export interface RegistrySourceProblem {
  kind:
    /** The file could not be read, or the control plane could not be reached or answered an error. */
    | 'fetch-failed'
    /** What arrived is not a valid registry snapshot (schema, references or content hash). */
    | 'invalid-snapshot'
    /** The change-event stream broke; it is reconnected after `retryInMs`. */
    | 'events-disconnected';
  /** What went wrong and what to do, in a sentence fit for a log (no secrets). */
  message: string;
  /** The control plane's HTTP status, when it answered. */
  status?: number | undefined;
  /** For `events-disconnected`: when the next connection attempt starts. */
  retryInMs?: number | undefined;
}

/** Reports a problem as one `console.warn` line: the default of every live source. */
export function warnRegistryProblem(problem: RegistrySourceProblem): void {
  console.warn(`[switchboard registry] ${problem.message}`);
}
