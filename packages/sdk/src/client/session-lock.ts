/**
 * Runs work on one key one at a time, in arrival order. Two requests on one session must not both
 * read the transcript, answer, and write it back: the second write would erase the first turn.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for the key's earlier holders; resolves with the function that releases it. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }

  /** Keys with a holder or waiters. */
  get size(): number {
    return this.#tails.size;
  }
}
