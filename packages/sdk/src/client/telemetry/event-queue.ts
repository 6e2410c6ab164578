/**
 * A first-in first-out queue with cheap removal at the head. `Array.prototype.shift` moves every
 * element, which under a flood of telemetry (10,000 buffered, oldest dropped on every emit) would
 * turn each `emit` into a copy of the whole buffer; here the head is an index and the array is
 * compacted only once its dead prefix outgrows the live part.
 */
export class EventQueue<Item> {
  #items: (Item | undefined)[] = [];
  #head = 0;

  /** Number of items in the queue. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds an item at the tail. */
  push(item: Item): void {
    this.#items.push(item);
  }

  /** Removes and returns the oldest item, if any. */
  shift(): Item | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    this.#compact();
    return item;
  }

  /** Removes and returns up to `count` of the oldest items, oldest first. */
  take(count: number): Item[] {
    const end = Math.min(this.#items.length, this.#head + Math.max(0, count));
    const taken = this.#items.slice(this.#head, end) as Item[];
    this.#items.fill(undefined, this.#head, end);
    this.#head = end;
    this.#compact();
    return taken;
  }

  /** The items, oldest first, as a new array. */
  toArray(): Item[] {
    return this.#items.slice(this.#head) as Item[];
  }

  /** Empties the queue. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head > this.#items.length / 2) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
