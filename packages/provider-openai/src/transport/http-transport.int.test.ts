import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpTransport, readBodyText, type ResponseBodyReader } from './http-transport.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A server whose handler gets the response, and the set of sockets it has seen. */
async function serve(handler: (response: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    sockets.add(request.socket);
    request.resume();
    request.on('end', () => handler(response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/chat/completions`, sockets };
}

const post = (url: string, signal?: AbortSignal) =>
  nodeHttpTransport({ url, headers: { 'content-type': 'application/json' }, body: '{}', signal });

async function readAllBytes(body: ResponseBodyReader): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const chunk = await body.read();
    if (chunk.done) return Buffer.concat(parts);
    parts.push(Buffer.from(chunk.value));
  }
}

describe('nodeHttpTransport', () => {
  it('delivers every byte in order to a reader that falls behind a fast sender', async () => {
    const pieces = Array.from(
      { length: 400 },
      (_, index) => `${String(index).padStart(4, '0')}:${'x'.repeat(1019)}\n`,
    );
    const { url } = await serve((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of pieces) response.write(piece);
      response.end();
    });
    const response = await post(url);
    // The whole body arrives while nobody reads: the reader must hold it, pause and resume.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const received = await readAllBytes(response.body);
    expect(received.toString('utf8')).toBe(pieces.join(''));
  });

  it('reuses one kept-alive connection for calls made one after another', async () => {
    const { url, sockets } = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    for (let call = 0; call < 5; call++) {
      const response = await post(url);
      expect(await readBodyText(response.body)).toBe('{"ok":true}');
    }
    expect(sockets.size).toBe(1);
  });

  it('rejects a read with a reset code when the connection breaks mid-body, after what had arrived', async () => {
    const { url } = await serve((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const response = await post(url);
    const first = await response.body.read();
    expect(first.done === false && Buffer.from(first.value).toString('utf8')).toBe('data: first\n\n');
    await expect(response.body.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('rejects with an AbortError when the signal fires before the answer, and when it already had', async () => {
    const { url } = await serve(() => undefined);
    const controller = new AbortController();
    const pending = post(url, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(post(url, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects with the platform error code when nothing listens', async () => {
    const { url } = await serve(() => undefined);
    const closed = servers.pop()!;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(post(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes the connection when a reader cancels before the end', async () => {
    let serverResponse: ServerResponse | undefined;
    const { url } = await serve((response) => {
      serverResponse = response;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    });
    const response = await post(url);
    await response.body.read();
    await response.body.cancel();
    await expect(response.body.read()).resolves.toEqual({ done: true });
    await new Promise<void>((resolve) => {
      if (serverResponse?.destroyed === true) resolve();
      else serverResponse?.on('close', () => resolve());
    });
    expect(serverResponse?.writableEnded).toBe(false);
  });
});
