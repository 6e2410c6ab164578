import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  type RegistryContent,
  type RegistrySnapshot,
} from '@switchboard/core';

/** A valid snapshot of the default registry whose first model carries `label` as its display name. */
export function labelledSnapshot(version: number, label: string): RegistrySnapshot {
  const content: RegistryContent = defaultRegistryContent();
  const [first, ...rest] = content.models;
  return buildRegistrySnapshot(
    { ...content, models: [{ ...first!, displayName: label }, ...rest] },
    { version, createdAt: new Date(Date.UTC(2026, 0, version)).toISOString() },
  );
}

/** What the stub answers to the next snapshot requests instead of the snapshot. */
export type SnapshotOverride =
  | { kind: 'status'; status: number }
  | { kind: 'body'; body: string }
  | { kind: 'snapshot'; snapshot: unknown };

/**
 * The registry half of the control plane's contract, on 127.0.0.1, as the TSDoc of
 * `createControlPlaneRegistrySource` describes it: `GET /v1/registry/snapshot` with ETag and 304,
 * and `GET /v1/registry/events` as a server-sent event stream that announces each change.
 */
export interface ControlPlaneStub {
  readonly baseUrl: string;
  /** Every snapshot request: the `If-None-Match` it carried and the status it got. */
  readonly snapshotRequests: {
    ifNoneMatch: string | undefined;
    status: number;
    authorization: string | undefined;
  }[];
  /** Event-stream connections opened so far. */
  eventConnections: number;
  /** Event streams open right now. */
  openEventStreams(): number;
  /** Answers queued for the next snapshot requests, consumed first in, first out. */
  readonly overrides: SnapshotOverride[];
  /** Makes `snapshot` current and announces it on every open event stream (unless `announce` is false). */
  publish(snapshot: RegistrySnapshot, announce?: boolean): void;
  /** Cuts every open event stream, as a restart or a proxy would. */
  dropEventStreams(): void;
  close(): Promise<void>;
}

function announcement(snapshot: RegistrySnapshot): string {
  return `event: snapshot\ndata: ${JSON.stringify({ version: snapshot.version, hash: snapshot.hash })}\n\n`;
}

/** Starts the stub on a random free port, serving `initial`. */
export async function startControlPlaneStub(initial: RegistrySnapshot): Promise<ControlPlaneStub> {
  let current = initial;
  const streams = new Set<ServerResponse>();
  const snapshotRequests: ControlPlaneStub['snapshotRequests'] = [];
  const overrides: SnapshotOverride[] = [];

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const authorization = request.headers.authorization;
    if (request.url === '/v1/registry/snapshot') {
      const ifNoneMatch = request.headers['if-none-match'];
      const override = overrides.shift();
      const record = (status: number) => snapshotRequests.push({ ifNoneMatch, status, authorization });
      if (override?.kind === 'status') {
        record(override.status);
        response.writeHead(override.status).end();
      } else if (override?.kind === 'body' || override?.kind === 'snapshot') {
        record(200);
        const body = override.kind === 'body' ? override.body : JSON.stringify(override.snapshot);
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else if (ifNoneMatch === `"${current.hash}"`) {
        record(304);
        response.writeHead(304, { etag: `"${current.hash}"` }).end();
      } else {
        record(200);
        response
          .writeHead(200, { 'content-type': 'application/json', etag: `"${current.hash}"` })
          .end(JSON.stringify(current));
      }
      return;
    }
    if (request.url === '/v1/registry/events') {
      stub.eventConnections += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(': connected\nretry: 20\n\n');
      response.write(announcement(current));
      streams.add(response);
      response.on('close', () => streams.delete(response));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const stub: ControlPlaneStub = {
    baseUrl: `http://127.0.0.1:${port}`,
    snapshotRequests,
    eventConnections: 0,
    openEventStreams: () => streams.size,
    overrides,
    publish(snapshot, announce = true) {
      current = snapshot;
      if (announce) for (const stream of streams) stream.write(announcement(snapshot));
    },
    dropEventStreams() {
      for (const stream of streams) stream.destroy();
      streams.clear();
    },
    async close() {
      for (const stream of streams) stream.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return stub;
}
