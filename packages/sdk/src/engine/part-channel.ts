/**
 * A one-consumer queue from the engine to a `for await` loop. The engine never waits for the
 * consumer: a slow reader must not look like a stalled provider to the idle deadline, and an
 * answer is small, so parts are buffered until read. Leaving the loop early calls `onCancel`.
 */
export class PartChannel<Part> implements AsyncIterator<Part> {
  private buffer: (Part | undefined)[] = [];
  private head = 0;
  private waiting:
    { resolve: (result: IteratorResult<Part>) => void; reject: (error: unknown) => void } | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private iterated = false;

  constructor(private readonly onCancel: () => void) {}

  /** Hands a part to the consumer (or buffers it). Ignored after `end` or `fail`. */
  push(part: Part): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting.resolve({ value: part, done: false });
      return;
    }
    this.buffer.push(part);
  }

  /** No more parts: iteration finishes once the buffer is read. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting.resolve({ value: undefined, done: true });
    }
  }

  /** No more parts: iteration throws `error` once the buffer is read. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting.reject(error);
    }
  }

  next(): Promise<IteratorResult<Part>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head] as Part;
      this.buffer[this.head] = undefined;
      this.head += 1;
      if (this.head === this.buffer.length) {
        this.buffer = [];
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Part>> {
    if (!this.ended) {
      this.ended = true;
      this.onCancel();
    }
    this.buffer = [];
    this.head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The iterator, handed out once: two consumers would each see half the answer. */
  iterator(): AsyncIterator<Part> {
    if (this.iterated) {
      throw new Error(
        'This execution is already being iterated: an execution streams to one consumer. Await `result` for another copy of the answer.',
      );
    }
    this.iterated = true;
    return this;
  }
}
