/** What subscribers hear after a registry change commits: enough to decide whether to fetch. */
export interface RegistryChange {
  version: number;
  hash: string;
}

/**
 * Fans accepted registry changes out to whoever streams them (the `/v1/registry/events`
 * connections). One instance only needs {@link InProcessRegistryChangeBus}; several instances
 * behind a load balancer get `RedisRegistryChangeBus` (Redis pub/sub), so that a change made on
 * one reaches the SDKs connected to the others. Implementations deliver each change at least once;
 * listeners ignore versions they have already passed on.
 */
export interface RegistryChangeBus {
  /** Announces a committed change. Never rejects: a lost announcement is caught up by SDK polling. */
  publish(change: RegistryChange): Promise<void>;
  /** Calls `listener` for every change from now on; returns the function that stops it. */
  subscribe(listener: (change: RegistryChange) => void): () => void;
}

/** Injection token of the {@link RegistryChangeBus}. */
export const REGISTRY_CHANGE_BUS = Symbol.for('switchboard.control-plane.registry-change-bus');

/** The bus for a single instance: a set of listeners in this process. */
export class InProcessRegistryChangeBus implements RegistryChangeBus {
  readonly #listeners = new Set<(change: RegistryChange) => void>();

  publish(change: RegistryChange): Promise<void> {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // One broken listener (a stream that just died) must not keep the change from the others.
      }
    }
    return Promise.resolve();
  }

  subscribe(listener: (change: RegistryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** How many listeners are attached (open event streams); for tests and metrics. */
  get listenerCount(): number {
    return this.#listeners.size;
  }
}
