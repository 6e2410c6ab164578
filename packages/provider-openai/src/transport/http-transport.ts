import http from 'node:http';
import https from 'node:https';

/** One read from a response body: bytes, or the end. */
export type BodyChunk = { done: true; value?: undefined } | { done: false; value: Uint8Array };

/**
 * A response body read one chunk at a time, the shape of a web stream's default reader, so that
 * the stream reader works the same over `node:http` and over an injected `fetch`.
 */
export interface ResponseBodyReader {
  /** The next chunk; rejects when the connection breaks before the end. */
  read(): Promise<BodyChunk>;
  /** Stops reading and lets the connection go (it is closed, not reused). */
  cancel(): Promise<void>;
}

/** What the adapter needs of an HTTP response. */
export interface TransportResponse {
  status: number;
  /** Response headers with lower-case names, for the Retry-After family. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, for 2xx responses that are read as they arrive. */
  body: ResponseBodyReader;
}

/** A JSON `POST`, the only request an OpenAI-compatible chat call makes. */
export interface TransportRequest {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  signal?: AbortSignal | undefined;
}

/**
 * Sends one request and resolves with the response once its headers are in. Transport failures
 * (refused, reset, DNS) reject with the platform's own error, which carries the `code` that
 * `classifyTransportError` reads; an aborted signal rejects with an `AbortError`.
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * Reads a whole body as text, for error bodies and non-streamed completions. When `signal` fires
 * first, the body is cancelled (its connection closed) and the read rejects with an `AbortError`:
 * the engine's deadlines stop a slow body as they stop a slow stream.
 */
export async function readBodyText(body: ResponseBodyReader, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted === true) {
    await body.cancel();
    throw abortError(signal);
  }
  const onAbort = (): void => void body.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const chunk = await body.read();
      if (isAborted(signal)) throw abortError(signal!);
      if (chunk.done) return text + decoder.decode();
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Pools of kept-alive connections shared by every adapter in the process: many models sit behind
 * one endpoint, and a connection opened for one serves the next call to any of them. LIFO keeps
 * the warmest sockets busy and lets the rest time out.
 */
const agentOptions: http.AgentOptions = { keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

/** Stop taking data from the socket while this many chunks wait unread. */
const highWaterChunks = 64;

/**
 * A body reader over Node's `IncomingMessage`: data events fill a queue that `read` empties, with
 * no web-stream machinery between the socket and the parser. That machinery (undici's fetch, web
 * streams, the official client's request building) was most of a proxied call's CPU time in the
 * gateway's profile, about twice what this path costs for the same streamed answer.
 */
class IncomingMessageReader implements ResponseBodyReader {
  private readonly queue: Uint8Array[] = [];
  private ended = false;
  private failure: Error | undefined;
  private waiter: { resolve: (chunk: BodyChunk) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly message: http.IncomingMessage) {
    message.on('data', (data: Buffer) => {
      const waiter = this.waiter;
      if (waiter !== undefined) {
        this.waiter = undefined;
        waiter.resolve({ done: false, value: data });
        return;
      }
      this.queue.push(data);
      if (this.queue.length >= highWaterChunks) message.pause();
    });
    message.on('end', () => {
      this.ended = true;
      this.settleWaiter();
    });
    // `aborted` and `error` both mean the body broke before its end (a reset, a destroyed socket).
    message.on('error', (error: Error) => this.fail(error));
    message.on('aborted', () =>
      this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    );
    message.on('close', () => {
      if (!this.ended && !message.complete)
        this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
  }

  read(): Promise<BodyChunk> {
    if (this.queue.length > 0) {
      // Everything already received goes out as one chunk: one decode and one parse per wakeup.
      const value = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
      this.queue.length = 0;
      if (this.message.isPaused()) this.message.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  cancel(): Promise<void> {
    this.queue.length = 0;
    this.ended = true;
    if (!this.message.complete) this.message.destroy();
    this.settleWaiter();
    return Promise.resolve();
  }

  private fail(error: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = error;
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.reject(error);
    }
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    if (this.failure !== undefined) waiter.reject(this.failure);
    else waiter.resolve({ done: true });
  }
}

/** A function, not a property read, so the check is repeated after every await. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'AbortError'
    ? reason
    : Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', cause: reason });
}

/** The default transport: `node:http` and `node:https` with the shared kept-alive pools. */
export const nodeHttpTransport: HttpTransport = (request) =>
  new Promise((resolve, reject) => {
    const { signal } = request;
    if (signal?.aborted === true) {
      reject(abortError(signal));
      return;
    }
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const outgoing = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? httpsAgent : httpAgent,
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
    });
    const onAbort = (): void => {
      outgoing.destroy(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.on('response', (message) => {
      const reader = new IncomingMessageReader(message);
      // From here the body reader owns the connection; the signal is the stream reader's to watch.
      signal?.removeEventListener('abort', onAbort);
      resolve({ status: message.statusCode ?? 0, headers: message.headers, body: reader });
    });
    outgoing.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted === true ? abortError(signal) : error);
    });
    outgoing.end(request.body);
  });

/** A web stream's reader as a {@link ResponseBodyReader}. */
function webStreamReader(body: ReadableStream<Uint8Array> | null): ResponseBodyReader {
  if (body === null) {
    return { read: () => Promise.resolve({ done: true }), cancel: () => Promise.resolve() };
  }
  const reader = body.getReader();
  return {
    read: async () => {
      const result = await reader.read();
      return result.done ? { done: true } : { done: false, value: result.value };
    },
    cancel: () => reader.cancel(),
  };
}

/**
 * A transport over an injected `fetch` (tests, proxies, runtimes without `node:http`). Network
 * failures surface as `fetch` reports them: a `TypeError` whose `cause` carries the code.
 */
export function fetchTransport(fetchImplementation: typeof globalThis.fetch): HttpTransport {
  return async (request) => {
    const response = await fetchImplementation(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: webStreamReader(response.body) };
  };
}
