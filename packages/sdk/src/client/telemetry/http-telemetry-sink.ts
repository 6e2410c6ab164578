import { parseRetryAfter } from '@switchboard/core';
import { systemClock, type ClientClock } from '../client-clock.ts';
import { checkRetryBackoff, retryDelayMs, type RetryBackoff } from '../retry-delay.ts';
import { unrefTimer } from '../unref-timer.ts';
import { EventQueue } from './event-queue.ts';
import type { TelemetryEvent } from './telemetry-event.ts';
import type { TelemetryCloseOptions, TelemetrySink, TelemetrySinkStats } from './telemetry-sink.ts';

/** Something the sink could not do, described without any event content (safe to log). */
export interface TelemetrySinkProblem {
  kind:
    /** The receiver refused a batch for good (a 4xx other than 408 and 429); its events are dropped. */
    | 'batch-rejected'
    /** A delivery attempt failed; the batch is kept and retried after `retryInMs`. */
    | 'delivery-failed'
    /** The buffer was full and the oldest events were dropped; reported once until a delivery succeeds. */
    | 'buffer-overflow'
    /** `close()` ran out of time with events still unsent; they are dropped. */
    | 'dropped-at-close';
  /** A sentence for a log line: counts, statuses and error codes only. */
  message: string;
  /** How many events the problem concerns. */
  events: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number | undefined;
  /** When the next attempt starts, for `delivery-failed`. */
  retryInMs?: number | undefined;
  /** Failed attempts in a row, for `delivery-failed` (1 for the first of a streak). */
  consecutiveFailures?: number | undefined;
}

/** Options of {@link createHttpTelemetrySink}. */
export interface HttpTelemetrySinkOptions {
  /** The full URL events are POSTed to, e.g. `http://control-plane:8080/v1/telemetry`. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`; a service key of the control plane. */
  apiKey?: string | undefined;
  /** Most events per request. Default 100; capped at half of `maxBufferedEvents`. */
  batchSize?: number | undefined;
  /** A partial batch is sent at least this often. Default 1000 ms. */
  flushIntervalMs?: number | undefined;
  /** Most events held in memory (the batch on the wire included); the oldest go first. Default 10,000. */
  maxBufferedEvents?: number | undefined;
  /** Backoff between failed attempts. Default `{ baseMs: 500, maxMs: 30_000 }`. */
  retry?: RetryBackoff | undefined;
  /** One request may take this long before it counts as failed. Default 10,000 ms. */
  requestTimeoutMs?: number | undefined;
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /** Reads the time to turn a `Retry-After` HTTP date into a delay. Default: the system clock. */
  clock?: ClientClock | undefined;
  /** Random numbers in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
  /**
   * Told about every problem, never about content. Default: a `console.warn` line for rejections,
   * overflows, drops at close, and the first failure of each streak of failed deliveries.
   */
  onProblem?: ((problem: TelemetrySinkProblem) => void) | undefined;
}

/** What one delivery attempt came to. */
type DeliveryOutcome =
  | { kind: 'sent' }
  | { kind: 'rejected'; status: number | undefined; reason: string }
  | { kind: 'retry'; status: number | undefined; retryAfterMs: number | undefined; reason: string };

const defaults = {
  batchSize: 100,
  flushIntervalMs: 1000,
  maxBufferedEvents: 10_000,
  retry: { baseMs: 500, maxMs: 30_000 },
  requestTimeoutMs: 10_000,
  closeTimeoutMs: 5000,
};

/**
 * A {@link TelemetrySink} that delivers events to the control plane over HTTP, in the background.
 *
 * - **Batches**: `POST <endpoint>` with `Content-Type: application/json` and body `{ "events": [...] }`,
 *   at most `batchSize` events, sent when a batch is full or every `flushIntervalMs`. One request is
 *   on the wire at a time.
 * - **At-least-once, idempotent**: a failed batch (network error, timeout, 408, 429, 5xx) is kept
 *   and retried, same events, same ids, with jittered exponential backoff that honours `Retry-After`
 *   (and OpenAI-style `retry-after-ms`). A receiver that stored a batch but whose answer was lost will
 *   see it again, so it must de-duplicate by `eventId` (the control plane's ingest does).
 * - **Permanent refusals**: any other 4xx (400, 401, 403, 413, 422, ...) means retrying cannot help;
 *   the batch is dropped and counted in `rejected`, and `onProblem` is told the status, never content.
 * - **Bounded memory**: at most `maxBufferedEvents`; when full, the oldest events waiting (a batch
 *   waiting for its retry first) are dropped and counted, so an outage costs the oldest telemetry,
 *   never the process's memory.
 * - **Never in the way**: `emit` returns at once and never throws; the flush timer is unref'd, so a
 *   pending delivery never keeps the process alive. `close()` stops the timer and delivers what is
 *   left within its timeout (default 5 s), then drops the rest.
 */
export function createHttpTelemetrySink(options: HttpTelemetrySinkOptions): TelemetrySink {
  return new HttpTelemetrySink(options);
}

function positiveInteger(value: number, name: string, minimum = 1): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be a whole number of at least ${minimum}, got ${String(value)}.`);
  }
  return value;
}

function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(
      `Telemetry endpoint "${endpoint}" is not a URL; pass the full address, e.g. http://control-plane:8080/v1/telemetry.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Telemetry endpoint "${endpoint}" must be an http(s) URL.`);
  }
  return url.toString();
}

function defaultProblemLogger(problem: TelemetrySinkProblem): void {
  if (problem.kind === 'delivery-failed' && problem.consecutiveFailures !== 1) return;
  console.warn(`[switchboard telemetry] ${problem.message}`);
}

/** A transport failure in words and codes only (`fetch failed (ECONNREFUSED)`), never a body. */
function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'request timed out';
  const cause = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return code === undefined ? error.name : `${error.name} (${code})`;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

class HttpTelemetrySink implements TelemetrySink {
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #batchSize: number;
  readonly #maxBuffered: number;
  readonly #retry: RetryBackoff;
  readonly #requestTimeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #clock: ClientClock;
  readonly #random: () => number;
  readonly #onProblem: (problem: TelemetrySinkProblem) => void;
  readonly #interval: ReturnType<typeof setInterval>;

  /** Events waiting for their first attempt, oldest first. */
  readonly #queue = new EventQueue<TelemetryEvent>();
  /** A batch that failed and waits for its retry; older than everything in the queue. */
  #retryBatch: TelemetryEvent[] = [];
  /** The batch on the wire, if any. */
  #inFlight: TelemetryEvent[] | undefined;
  #requestAbort: AbortController | undefined;
  #drain: Promise<void> | undefined;
  #drainQueued = false;
  #backoff: { timer: ReturnType<typeof setTimeout>; done: Promise<void>; finish: () => void } | undefined;
  #consecutiveFailures = 0;
  #overflowReported = false;
  #flushWaiters: (() => void)[] = [];
  #closing = false;
  /** Set when `close()` gave up: the drain must stop instead of scheduling another retry. */
  #stopping = false;
  #closed: Promise<void> | undefined;
  readonly #counters = { sent: 0, dropped: 0, rejected: 0, failedAttempts: 0 };

  constructor(options: HttpTelemetrySinkOptions) {
    this.#endpoint = checkEndpoint(options.endpoint);
    this.#maxBuffered = positiveInteger(
      options.maxBufferedEvents ?? defaults.maxBufferedEvents,
      'maxBufferedEvents',
      2,
    );
    // A batch on the wire cannot be dropped, so at most half the buffer may be on the wire: the
    // other half always holds something old enough to make room for a new event.
    const batchSize = positiveInteger(options.batchSize ?? defaults.batchSize, 'batchSize');
    this.#batchSize = Math.min(batchSize, Math.floor(this.#maxBuffered / 2));
    this.#retry = options.retry ?? defaults.retry;
    checkRetryBackoff(this.#retry, 'retry');
    this.#requestTimeoutMs = positiveInteger(
      options.requestTimeoutMs ?? defaults.requestTimeoutMs,
      'requestTimeoutMs',
    );
    const flushIntervalMs = positiveInteger(
      options.flushIntervalMs ?? defaults.flushIntervalMs,
      'flushIntervalMs',
    );
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#onProblem = options.onProblem ?? defaultProblemLogger;
    this.#headers = { 'content-type': 'application/json' };
    if (options.apiKey !== undefined) this.#headers.authorization = `Bearer ${options.apiKey}`;
    this.#interval = setInterval(() => this.#startDrain(), flushIntervalMs);
    unrefTimer(this.#interval);
  }

  emit(event: TelemetryEvent): void {
    try {
      if (this.#closing) {
        this.#counters.dropped += 1;
        return;
      }
      this.#makeRoomForOne();
      this.#queue.push(event);
      if (this.#waitingCount() >= this.#batchSize && !this.#drainQueued) {
        // Started after the caller's synchronous work, so a burst of emits fills whole batches
        // (and, when the buffer overflows, drops the oldest of the burst, not what is already sent).
        this.#drainQueued = true;
        queueMicrotask(() => {
          this.#drainQueued = false;
          this.#startDrain();
        });
      }
    } catch {
      // Telemetry must never break a request; an event we could not queue is simply lost.
    }
  }

  flush(): Promise<void> {
    if (this.#closed !== undefined || this.#unsentCount() === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#flushWaiters.push(resolve);
      // During a backoff the retry timer starts the drain; a flush must not hammer a struggling receiver.
      if (this.#drain === undefined && this.#backoff === undefined) this.#startDrain();
    });
  }

  close(options: TelemetryCloseOptions = {}): Promise<void> {
    this.#closed ??= this.#shutDown(options.timeoutMs ?? defaults.closeTimeoutMs);
    return this.#closed;
  }

  stats(): TelemetrySinkStats {
    return { ...this.#counters, buffered: this.#unsentCount() };
  }

  /** Events not on the wire. */
  #waitingCount(): number {
    return this.#queue.length + this.#retryBatch.length;
  }

  #unsentCount(): number {
    return this.#waitingCount() + (this.#inFlight?.length ?? 0);
  }

  #makeRoomForOne(): void {
    let droppedNow = 0;
    while (this.#unsentCount() >= this.#maxBuffered) {
      const dropped = this.#retryBatch.length > 0 ? this.#retryBatch.shift() : this.#queue.shift();
      if (dropped === undefined) break;
      droppedNow += 1;
    }
    if (droppedNow === 0) return;
    this.#counters.dropped += droppedNow;
    if (!this.#overflowReported) {
      this.#overflowReported = true;
      this.#report({
        kind: 'buffer-overflow',
        events: droppedNow,
        message:
          `telemetry buffer full (${this.#maxBuffered} events): dropping the oldest events until a delivery ` +
          'succeeds; check that the control plane is reachable, or raise maxBufferedEvents',
      });
    }
  }

  #startDrain(): void {
    if (this.#drain !== undefined || this.#backoff !== undefined || this.#stopping) return;
    if (this.#waitingCount() === 0) return;
    this.#drain = this.#run().finally(() => {
      this.#drain = undefined;
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  #shouldContinue(): boolean {
    if (this.#waitingCount() === 0) return false;
    return this.#waitingCount() >= this.#batchSize || this.#flushWaiters.length > 0 || this.#closing;
  }

  async #run(): Promise<void> {
    for (;;) {
      const batch = this.#retryBatch.length > 0 ? this.#retryBatch : this.#queue.take(this.#batchSize);
      this.#retryBatch = [];
      if (batch.length === 0) return;
      this.#inFlight = batch;
      const outcome = await this.#deliver(batch);
      this.#inFlight = undefined;
      if (outcome.kind === 'sent') {
        this.#counters.sent += batch.length;
        this.#consecutiveFailures = 0;
        this.#overflowReported = false;
      } else if (outcome.kind === 'rejected') {
        this.#counters.rejected += batch.length;
        this.#counters.dropped += batch.length;
        this.#report({
          kind: 'batch-rejected',
          events: batch.length,
          status: outcome.status,
          message:
            `the control plane refused a batch of ${batch.length} telemetry events (${outcome.reason}); ` +
            'they are dropped: check the endpoint and the API key',
        });
      } else {
        // Back to the head of the line: these are the oldest events we hold.
        this.#retryBatch = batch;
        this.#counters.failedAttempts += 1;
        this.#consecutiveFailures += 1;
        if (this.#stopping) return;
        const delay = retryDelayMs(
          this.#consecutiveFailures,
          this.#retry,
          this.#random,
          outcome.retryAfterMs,
        );
        this.#report({
          kind: 'delivery-failed',
          events: batch.length,
          status: outcome.status,
          retryInMs: delay,
          consecutiveFailures: this.#consecutiveFailures,
          message:
            `could not deliver ${batch.length} telemetry events (${outcome.reason}); ` +
            `retrying in ${delay} ms (failure ${this.#consecutiveFailures} in a row)`,
        });
        this.#scheduleRetry(delay);
        return;
      }
      if (this.#stopping || !this.#shouldContinue()) return;
    }
  }

  #scheduleRetry(delayMs: number): void {
    let finish = (): void => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(() => {
      this.#backoff = undefined;
      finish();
      this.#startDrain();
    }, delayMs);
    unrefTimer(timer);
    this.#backoff = { timer, done, finish };
  }

  #cancelBackoff(): void {
    if (this.#backoff === undefined) return;
    clearTimeout(this.#backoff.timer);
    this.#backoff.finish();
    this.#backoff = undefined;
  }

  async #deliver(batch: TelemetryEvent[]): Promise<DeliveryOutcome> {
    let body: string;
    try {
      body = JSON.stringify({ events: batch });
    } catch {
      return { kind: 'rejected', status: undefined, reason: 'an event could not be serialised as JSON' };
    }
    const abort = new AbortController();
    this.#requestAbort = abort;
    const timer = setTimeout(() => abort.abort(), this.#requestTimeoutMs);
    unrefTimer(timer);
    try {
      const response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: abort.signal,
      });
      // Read the answer to the end so the connection can be reused; its content is not needed.
      await response.arrayBuffer().catch(() => undefined);
      const status = response.status;
      if (status >= 200 && status < 300) return { kind: 'sent' };
      if (isRetryableStatus(status)) {
        const retryAfterMs = parseRetryAfter(response.headers, this.#clock.now());
        return { kind: 'retry', status, retryAfterMs, reason: `HTTP ${status}` };
      }
      return { kind: 'rejected', status, reason: `HTTP ${status}` };
    } catch (error) {
      return {
        kind: 'retry',
        status: undefined,
        retryAfterMs: undefined,
        reason: describeTransportError(error),
      };
    } finally {
      clearTimeout(timer);
      this.#requestAbort = undefined;
    }
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    this.#closing = true;
    clearInterval(this.#interval);
    const deadline = new AbortController();
    const deadlinePassed = new Promise<void>((resolve) => {
      deadline.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // Not unref'd: a host awaiting close() expects it to finish, not the process to exit under it.
    const timer = setTimeout(() => deadline.abort(), Math.max(0, timeoutMs));
    // The time left is short: try now rather than sit out a backoff that may outlast it.
    this.#cancelBackoff();
    try {
      while (this.#unsentCount() > 0 && !deadline.signal.aborted) {
        if (this.#drain !== undefined) await Promise.race([this.#drain, deadlinePassed]);
        else if (this.#backoff !== undefined) await Promise.race([this.#backoff.done, deadlinePassed]);
        else {
          this.#startDrain();
          if (this.#drain === undefined) break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    this.#stopping = true;
    this.#requestAbort?.abort();
    if (this.#drain !== undefined) await this.#drain;
    this.#cancelBackoff();
    const unsent = this.#unsentCount();
    if (unsent > 0) {
      this.#counters.dropped += unsent;
      this.#queue.clear();
      this.#retryBatch = [];
      this.#report({
        kind: 'dropped-at-close',
        events: unsent,
        message: `closing: ${unsent} telemetry events could not be delivered within ${timeoutMs} ms and are dropped`,
      });
    }
    const waiters = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #report(problem: TelemetrySinkProblem): void {
    try {
      this.#onProblem(problem);
    } catch {
      // A failing logger must not break delivery.
    }
  }
}
