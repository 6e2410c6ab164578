import type { RegistrySnapshot } from '@switchboard/core';
import type { RegistryListener } from './registry-source.ts';

/**
 * The current snapshot of a source and its listeners: the part every source shares. A listener that
 * throws is isolated, so one faulty subscriber cannot stop the others from seeing a new registry.
 */
export class SnapshotHolder {
  #snapshot: RegistrySnapshot;
  readonly #listeners = new Set<RegistryListener>();

  constructor(initial: RegistrySnapshot) {
    this.#snapshot = initial;
  }

  current(): RegistrySnapshot {
    return this.#snapshot;
  }

  subscribe(listener: RegistryListener): () => void {
    // A wrapper, so the same function subscribed twice is two subscriptions, each removable once.
    const entry: RegistryListener = (snapshot) => listener(snapshot);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Adopts `snapshot` and tells every listener. */
  publish(snapshot: RegistrySnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of [...this.#listeners]) {
      try {
        listener(snapshot);
      } catch {
        // A subscriber's failure is its own; the snapshot is adopted regardless.
      }
    }
  }

  /** Forgets every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}
