import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One request and its response, with a lifetime: everything that waits on it (token pacing, a
 * stall, a request that is never answered) stops as soon as the client goes away or the server
 * closes, so no timer or socket outlives a test.
 */
export class FaultExchange {
  private readonly controller = new AbortController();

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
  ) {
    response.on('close', () => this.controller.abort());
  }

  /** False once the client has gone or the server is closing. */
  get open(): boolean {
    return !this.controller.signal.aborted;
  }

  /** Ends every wait of this exchange (the server calls it on close). */
  abort(): void {
    this.controller.abort();
  }

  /** Waits `ms`; resolves false (early) when the exchange ends meanwhile. */
  sleep(ms: number): Promise<boolean> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits until the exchange ends: the client leaves or the server closes. Sends nothing meanwhile. */
  hang(): Promise<void> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Sends a complete JSON response. */
  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!this.open) return;
    const text = JSON.stringify(body);
    this.response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    this.response.end(text);
  }

  /** Sends the status line and headers of a server-sent-event stream (chunked encoding) at once. */
  startEventStream(headers: Record<string, string> = {}): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...headers,
    });
    this.response.flushHeaders();
  }

  /** Writes raw bytes of the body, if the client is still there. */
  write(text: string): void {
    if (this.open) this.response.write(text);
  }

  /** Ends the body cleanly. */
  end(): void {
    if (this.open) this.response.end();
  }

  /** Closes the connection abruptly (FIN, no more bytes): the body is cut mid-way. */
  destroy(): void {
    this.request.socket.destroy();
  }

  /** Resets the TCP connection (RST) before any response byte. */
  reset(): void {
    const socket = this.request.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
}
