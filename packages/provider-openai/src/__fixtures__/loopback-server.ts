import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server for tests that need exact control of the bytes a provider sends. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received so far, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 and a random port; `handler` writes each response. */
export async function startLoopbackServer(
  handler: (request: RecordedRequest, response: ServerResponse) => void | Promise<void>,
): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, response) => {
    const parts: Buffer[] = [];
    incoming.on('data', (part: Buffer) => parts.push(part));
    incoming.on('end', () => {
      const request: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(parts).toString('utf8'),
      };
      requests.push(request);
      void Promise.resolve(handler(request, response)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** Starts an SSE response and writes `chunks`; ends it unless `keepOpen`. */
export function sendSse(
  response: ServerResponse,
  chunks: string[],
  options: { keepOpen?: boolean } = {},
): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const chunk of chunks) response.write(chunk);
  if (options.keepOpen !== true) response.end();
}

/** Reads a file from this folder as text. */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, import.meta.url), 'utf8');
}

/** One SSE event per chunk object, as OpenAI writes them. */
export function sseEvents(...payloads: unknown[]): string[] {
  return payloads.map(
    (payload) => `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`,
  );
}
