import {
  deserializeOptimizerState,
  findReferenceIssues,
  formatZodIssues,
  hashRegistryContent,
  registrySnapshotSchema,
  type OptimizerState,
  type RegistrySnapshot,
} from '@switchboard/core';
import { checkRetryBackoff, retryDelayMs, type RetryBackoff } from '../retry-delay.ts';
import { unrefTimer } from '../unref-timer.ts';
import { warnRegistryProblem, type RegistrySource, type RegistrySourceProblem } from './registry-source.ts';
import { ServerSentEventParser } from './server-sent-events.ts';
import { SnapshotHolder } from './snapshot-holder.ts';

/** Options of {@link createControlPlaneRegistrySource}. */
export interface ControlPlaneRegistrySourceOptions {
  /** Where the control plane listens, e.g. `http://control-plane:8080` (a path prefix is kept). */
  baseUrl: string;
  /** A service key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string | undefined;
  /** Ask for the snapshot at least this often, events or not. Default 30,000 ms. */
  pollIntervalMs?: number | undefined;
  /** Listen to `/v1/registry/events` to hear of changes at once. Default `true`. */
  events?: boolean | undefined;
  /**
   * Used when the control plane cannot be reached at start-up (say `defaultRegistrySnapshot()` or a
   * file shipped with the game), replaced as soon as the control plane answers. Without it, start-up
   * fails when the control plane is down.
   */
  fallbackSnapshot?: RegistrySnapshot | undefined;
  /** A snapshot request, or the event stream's response headers, may take this long. Default 10,000 ms. */
  requestTimeoutMs?: number | undefined;
  /** Backoff between reconnections of the event stream. Default `{ baseMs: 1000, maxMs: 30_000 }`. */
  reconnect?: RetryBackoff | undefined;
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch | undefined;
  /** Random numbers in [0, 1) for reconnection jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
  /** Told about every failure; the last good snapshot stays in force. Default: a `console.warn` line. */
  onProblem?: ((problem: RegistrySourceProblem) => void) | undefined;
  /**
   * Also fetch the fleet's learned statistics (`GET /v1/optimizer/state`) with every snapshot
   * request, for the client's selection to build on. Default `true`; a control plane without the
   * route (404) is asked no more.
   */
  optimizerState?: boolean | undefined;
}

/** A {@link RegistrySource} fed by the control plane. */
export interface ControlPlaneRegistrySource extends RegistrySource {
  /** Asks the control plane now; resolves `true` when a newer snapshot was adopted. Never rejects. */
  refresh(): Promise<boolean>;
  /** The fleet state last fetched from `GET /v1/optimizer/state`; `undefined` until one was. */
  optimizerState(): OptimizerState | undefined;
  subscribeOptimizerState(listener: (state: OptimizerState) => void): () => void;
}

type OptimizerStateOutcome =
  | { kind: 'state'; state: OptimizerState; etag: string | undefined }
  | { kind: 'not-modified' }
  | { kind: 'unsupported' }
  | { kind: 'problem'; problem: RegistrySourceProblem };

type FetchOutcome =
  | { kind: 'snapshot'; snapshot: RegistrySnapshot }
  | { kind: 'not-modified' }
  | { kind: 'problem'; problem: RegistrySourceProblem };

const defaults = {
  pollIntervalMs: 30_000,
  requestTimeoutMs: 10_000,
  reconnect: { baseMs: 1000, maxMs: 30_000 },
};

/**
 * The registry as the control plane publishes it, kept current by polling with ETags and by
 * listening to change events. This is the contract the control plane's registry module implements:
 *
 * **`GET /v1/registry/snapshot`** (headers `Authorization: Bearer <key>`, `Accept: application/json`,
 * and `If-None-Match: "<hash>"` once the client holds a snapshot)
 * - `200` with a JSON `RegistrySnapshot` body (core's `registrySnapshotSchema`: `providers`,
 *   `models`, `policies`, `version`, `hash`, `createdAt`) and `ETag: "<hash>"`, the snapshot's
 *   content hash in double quotes (a strong ETag).
 * - `304 Not Modified` (empty body) when `If-None-Match` names the current hash.
 * - `401` / `403` for a missing or wrong key; any other status is an error.
 *
 * **`GET /v1/registry/events`** (`Accept: text/event-stream`): a server-sent event stream that stays
 * open. On connection, and after every accepted change, the server sends
 * `event: snapshot` / `data: {"version":<number>,"hash":"<hex>"}` followed by a blank line. It
 * should send a comment line (`: keep-alive`) every 15 to 30 seconds so proxies keep the connection
 * open, and may send `retry: <ms>` to set the reconnection delay.
 *
 * What the client does with it:
 * - A body is adopted only if it parses with the schema, its references resolve, its `hash` equals
 *   core's `hashRegistryContent` of its content, and its `version` is not lower than the one held
 *   (an instance behind a load balancer that lags is ignored). Anything else is reported through
 *   `onProblem` and the last good snapshot stays in force; so does every network error.
 * - An event whose hash differs from the held snapshot's triggers an immediate fetch; after the
 *   stream reconnects, the client fetches once to catch up on what it missed. Polling continues
 *   either way, as the safety net for a stream that dies silently.
 * - `close()` ends polling and the stream. An open event stream is a live socket that keeps a Node
 *   process running, so a host that listens to events must call `close()` on shutdown.
 *
 * **`GET /v1/optimizer/state`** (same headers, `If-None-Match` with the last `ETag`): `200` with core's
 * serialised optimiser state (what the fleet learned from traffic and feedback) or `304`. Fetched at
 * start-up and after every snapshot request, not on its own schedule: learned statistics change
 * with every request, so they are published apart from the content-hashed snapshot and polled.
 * A state that does not pass core's `deserializeOptimizerState` is reported and the last one kept;
 * a `404` (a control plane from before the optimiser) stops the asking, silently.
 */
export async function createControlPlaneRegistrySource(
  options: ControlPlaneRegistrySourceOptions,
): Promise<ControlPlaneRegistrySource> {
  const client = new ControlPlaneClient(options);
  const first = await client.fetchSnapshot(undefined);
  const optimizer = new OptimizerStateHolder(options.optimizerState !== false);
  if (first.kind === 'snapshot') await optimizer.refresh(client);
  let initial: RegistrySnapshot;
  if (first.kind === 'snapshot') initial = first.snapshot;
  else if (options.fallbackSnapshot !== undefined) {
    initial = options.fallbackSnapshot;
    if (first.kind === 'problem') client.report(first.problem);
  } else {
    const reason = first.kind === 'problem' ? first.problem.message : 'it answered 304 to a first request';
    throw new Error(
      `Could not load the registry from the control plane: ${reason}. Check baseUrl and apiKey, or pass ` +
        'fallbackSnapshot to start without it.',
    );
  }
  return new LiveControlPlaneSource(client, new SnapshotHolder(initial), optimizer, options);
}

function baseOf(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  } catch {
    throw new TypeError(
      `Control plane baseUrl "${baseUrl}" is not a URL; pass e.g. http://control-plane:8080.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Control plane baseUrl "${baseUrl}" must be an http(s) URL.`);
  }
  return url;
}

function describeTransportError(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'the request timed out';
  const cause = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

function statusAdvice(status: number): string {
  if (status === 401 || status === 403) return 'check the apiKey (it needs the service scope)';
  if (status === 404) return 'check baseUrl: it should be the control plane root, without /v1';
  return 'the control plane may be starting or failing; the last good registry stays in force';
}

/** The HTTP half: one snapshot request, validated. Stateless apart from its settings. */
class ControlPlaneClient {
  readonly snapshotUrl: string;
  readonly eventsUrl: string;
  readonly optimizerStateUrl: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  readonly requestTimeoutMs: number;
  readonly #onProblem: (problem: RegistrySourceProblem) => void;

  constructor(options: ControlPlaneRegistrySourceOptions) {
    const base = baseOf(options.baseUrl);
    this.snapshotUrl = new URL('v1/registry/snapshot', base).toString();
    this.eventsUrl = new URL('v1/registry/events', base).toString();
    this.optimizerStateUrl = new URL('v1/optimizer/state', base).toString();
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.requestTimeoutMs = options.requestTimeoutMs ?? defaults.requestTimeoutMs;
    this.#onProblem = options.onProblem ?? warnRegistryProblem;
  }

  headers(accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    return headers;
  }

  fetchRaw(url: string, init: RequestInit): Promise<Response> {
    return this.#fetch(url, init);
  }

  report(problem: RegistrySourceProblem): void {
    try {
      this.#onProblem(problem);
    } catch {
      // A failing logger must not stop the source.
    }
  }

  async fetchSnapshot(held: RegistrySnapshot | undefined): Promise<FetchOutcome> {
    const headers = this.headers('application/json');
    if (held !== undefined) headers['if-none-match'] = `"${held.hash}"`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.requestTimeoutMs);
    unrefTimer(timer);
    let body: unknown;
    try {
      const response = await this.#fetch(this.snapshotUrl, { headers, signal: abort.signal });
      if (response.status === 304) {
        await response.arrayBuffer().catch(() => undefined);
        return { kind: 'not-modified' };
      }
      if (!response.ok) {
        await response.arrayBuffer().catch(() => undefined);
        const message = `GET ${this.snapshotUrl} answered HTTP ${response.status}: ${statusAdvice(response.status)}`;
        return { kind: 'problem', problem: { kind: 'fetch-failed', status: response.status, message } };
      }
      body = await response.json();
    } catch (error) {
      const invalidJson = error instanceof SyntaxError;
      return {
        kind: 'problem',
        problem: {
          kind: invalidJson ? 'invalid-snapshot' : 'fetch-failed',
          message: invalidJson
            ? `GET ${this.snapshotUrl} returned a body that is not JSON`
            : `GET ${this.snapshotUrl} failed: ${describeTransportError(error)}`,
        },
      };
    } finally {
      clearTimeout(timer);
    }
    return this.#validate(body);
  }

  async fetchOptimizerState(etag: string | undefined): Promise<OptimizerStateOutcome> {
    const url = this.optimizerStateUrl;
    const headers = this.headers('application/json');
    if (etag !== undefined) headers['if-none-match'] = etag;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.requestTimeoutMs);
    unrefTimer(timer);
    try {
      const response = await this.#fetch(url, { headers, signal: abort.signal });
      if (response.status === 304 || response.status === 404) {
        await response.arrayBuffer().catch(() => undefined);
        return { kind: response.status === 304 ? 'not-modified' : 'unsupported' };
      }
      if (!response.ok) {
        await response.arrayBuffer().catch(() => undefined);
        const message = `GET ${url} answered HTTP ${response.status}: ${statusAdvice(response.status)}`;
        return { kind: 'problem', problem: { kind: 'fetch-failed', status: response.status, message } };
      }
      const text = await response.text();
      try {
        return {
          kind: 'state',
          state: deserializeOptimizerState(text),
          etag: response.headers.get('etag') ?? undefined,
        };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          kind: 'problem',
          problem: { kind: 'invalid-snapshot', message: `GET ${url} returned an unusable state: ${reason}` },
        };
      }
    } catch (error) {
      return {
        kind: 'problem',
        problem: { kind: 'fetch-failed', message: `GET ${url} failed: ${describeTransportError(error)}` },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  #validate(body: unknown): FetchOutcome {
    const invalid = (reason: string): FetchOutcome => ({
      kind: 'problem',
      problem: {
        kind: 'invalid-snapshot',
        message: `GET ${this.snapshotUrl} returned an invalid snapshot: ${reason}`,
      },
    });
    const parsed = registrySnapshotSchema.safeParse(body);
    if (!parsed.success) return invalid(formatZodIssues(parsed.error.issues));
    const snapshot = parsed.data;
    const references = findReferenceIssues(snapshot);
    if (references.length > 0) {
      return invalid(references.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    }
    const content = { providers: snapshot.providers, models: snapshot.models, policies: snapshot.policies };
    if (hashRegistryContent(content) !== snapshot.hash) {
      return invalid(`its content does not match its hash ${snapshot.hash} (corrupted or edited in transit)`);
    }
    return { kind: 'snapshot', snapshot };
  }
}

/** The fleet state last fetched, its ETag, and who wants to hear of the next one. */
class OptimizerStateHolder {
  #enabled: boolean;
  #state: OptimizerState | undefined;
  #etag: string | undefined;
  readonly #listeners = new Set<(state: OptimizerState) => void>();

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  current(): OptimizerState | undefined {
    return this.#state;
  }

  subscribe(listener: (state: OptimizerState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks for a newer state; a failure is reported and the last state kept. */
  async refresh(client: ControlPlaneClient): Promise<void> {
    if (!this.#enabled) return;
    const outcome = await client.fetchOptimizerState(this.#etag);
    if (outcome.kind === 'unsupported') this.#enabled = false;
    else if (outcome.kind === 'problem') client.report(outcome.problem);
    else if (outcome.kind === 'state') {
      this.#state = outcome.state;
      this.#etag = outcome.etag;
      for (const listener of this.#listeners) {
        try {
          listener(outcome.state);
        } catch {
          // A failing listener must not stop the source.
        }
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** The live half: polling, the event stream, and the snapshot in force. */
class LiveControlPlaneSource implements ControlPlaneRegistrySource {
  readonly #client: ControlPlaneClient;
  readonly #holder: SnapshotHolder;
  readonly #optimizer: OptimizerStateHolder;
  readonly #pollIntervalMs: number;
  readonly #reconnect: RetryBackoff;
  readonly #random: () => number;
  #refreshing: Promise<boolean> | undefined;
  #refreshAgain = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #streamAbort = new AbortController();
  #listening: Promise<void> = Promise.resolve();

  constructor(
    client: ControlPlaneClient,
    holder: SnapshotHolder,
    optimizer: OptimizerStateHolder,
    options: ControlPlaneRegistrySourceOptions,
  ) {
    this.#client = client;
    this.#holder = holder;
    this.#optimizer = optimizer;
    this.#pollIntervalMs = options.pollIntervalMs ?? defaults.pollIntervalMs;
    if (!(Number.isFinite(this.#pollIntervalMs) && this.#pollIntervalMs > 0)) {
      throw new RangeError(
        `pollIntervalMs must be a positive number of milliseconds, got ${this.#pollIntervalMs}.`,
      );
    }
    this.#reconnect = options.reconnect ?? defaults.reconnect;
    checkRetryBackoff(this.#reconnect, 'reconnect');
    this.#random = options.random ?? Math.random;
    this.#schedulePoll();
    if (options.events !== false) this.#listening = this.#listen();
  }

  current(): RegistrySnapshot {
    return this.#holder.current();
  }

  subscribe(listener: (snapshot: RegistrySnapshot) => void): () => void {
    return this.#holder.subscribe(listener);
  }

  optimizerState(): OptimizerState | undefined {
    return this.#optimizer.current();
  }

  subscribeOptimizerState(listener: (state: OptimizerState) => void): () => void {
    return this.#optimizer.subscribe(listener);
  }

  refresh(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#refreshing !== undefined) {
      // A change may have been announced after the request in flight was answered: ask once more.
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = this.#refreshLoop().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    this.#streamAbort.abort();
    await this.#listening;
    await this.#refreshing;
    this.#holder.clear();
    this.#optimizer.clear();
  }

  async #refreshLoop(): Promise<boolean> {
    let adopted = false;
    do {
      this.#refreshAgain = false;
      adopted = (await this.#refreshOnce()) || adopted;
    } while (this.#refreshAgain && !this.#closed);
    return adopted;
  }

  async #refreshOnce(): Promise<boolean> {
    const held = this.#holder.current();
    const outcome = await this.#client.fetchSnapshot(held);
    if (this.#closed) return false;
    if (outcome.kind === 'problem') {
      this.#client.report(outcome.problem);
      return false;
    }
    await this.#optimizer.refresh(this.#client);
    if (this.#closed) return false;
    if (outcome.kind === 'not-modified') return false;
    const next = outcome.snapshot;
    const latest = this.#holder.current();
    if (next.version < latest.version || (next.version === latest.version && next.hash === latest.hash)) {
      return false;
    }
    this.#holder.publish(next);
    return true;
  }

  #schedulePoll(): void {
    if (this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      void this.refresh().finally(() => this.#schedulePoll());
    }, this.#pollIntervalMs);
    unrefTimer(this.#pollTimer);
  }

  async #listen(): Promise<void> {
    let failures = 0;
    let connectedBefore = false;
    const parser = new ServerSentEventParser();
    while (!this.#closed) {
      let reason: string;
      let status: number | undefined;
      // One controller per connection (a connect timeout must not end the source), aborted by close().
      const connection = new AbortController();
      const onClose = (): void => connection.abort();
      this.#streamAbort.signal.addEventListener('abort', onClose, { once: true });
      try {
        const body = await this.#connect(connection);
        failures = 0;
        // Changes made while the stream was down were never announced: catch up once.
        if (connectedBefore) void this.refresh();
        connectedBefore = true;
        await this.#readEvents(body, parser);
        reason = 'the control plane ended the event stream';
      } catch (error) {
        if (this.#closed) return;
        status = error instanceof EventStreamError ? error.status : undefined;
        reason = error instanceof EventStreamError ? error.message : describeTransportError(error);
      } finally {
        this.#streamAbort.signal.removeEventListener('abort', onClose);
      }
      if (this.#closed) return;
      failures += 1;
      const delay = parser.retryMs ?? retryDelayMs(failures, this.#reconnect, this.#random);
      this.#client.report({
        kind: 'events-disconnected',
        status,
        retryInMs: delay,
        message: `registry event stream ${this.#client.eventsUrl} disconnected (${reason}); reconnecting in ${delay} ms`,
      });
      await this.#sleep(delay);
    }
  }

  async #connect(connection: AbortController): Promise<ReadableStream<Uint8Array>> {
    const signal = connection.signal;
    const timer = setTimeout(() => connection.abort(), this.#client.requestTimeoutMs);
    unrefTimer(timer);
    let response: Response;
    try {
      response = await this.#client.fetchRaw(this.#client.eventsUrl, {
        headers: { ...this.#client.headers('text/event-stream'), 'cache-control': 'no-cache' },
        signal,
      });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
      await response.arrayBuffer().catch(() => undefined);
      throw new EventStreamError(
        `HTTP ${response.status}: ${statusAdvice(response.status)}`,
        response.status,
      );
    }
    return response.body;
  }

  async #readEvents(body: ReadableStream<Uint8Array>, parser: ServerSentEventParser): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const event of parser.push(decoder.decode(value, { stream: true })))
          this.#onEvent(event.event, event.data);
      }
    } finally {
      reader.releaseLock();
    }
  }

  #onEvent(name: string, data: string): void {
    if (name !== 'snapshot') return;
    let announced: { version?: unknown; hash?: unknown };
    try {
      announced = JSON.parse(data) as { version?: unknown; hash?: unknown };
    } catch {
      return;
    }
    const held = this.#holder.current();
    if (typeof announced.hash === 'string' && announced.hash === held.hash) return;
    if (typeof announced.version === 'number' && announced.version < held.version) return;
    void this.refresh();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#streamAbort.signal;
      if (signal.aborted) return resolve();
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      unrefTimer(timer);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The event stream could not be opened: the control plane answered, but not with a stream. */
class EventStreamError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'EventStreamError';
    this.status = status;
  }
}
