import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelemetryEvent } from '../telemetry-event.ts';

/** How the receiver answers one request. */
export type ReceiverAnswer =
  /** Store the batch and answer 202. */
  | { kind: 'accept' }
  /** Answer with this status (and headers) without storing anything. */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Store the batch, then cut the connection before answering: the acknowledgement is lost. */
  | { kind: 'lose-acknowledgement' };

/** One request the receiver saw. */
export interface Reception {
  eventIds: string[];
  /** The receiver answered 2xx: the sender knows the batch arrived. */
  acknowledged: boolean;
  status: number | undefined;
  authorization: string | undefined;
}

/**
 * A stand-in for the control plane's telemetry ingest on 127.0.0.1: it keeps a ledger keyed by
 * event id (as the real ingest de-duplicates) and a log of every request, and can be stopped and
 * started again on the same port to play an outage.
 */
export interface TelemetryReceiver {
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly receptions: Reception[];
  /** Stored events by id: what the ledger would hold. */
  readonly ledger: Map<string, TelemetryEvent>;
  /** Decides the answer to each request; the default accepts everything. */
  answer: (requestIndex: number) => ReceiverAnswer;
  stop(): Promise<void>;
  start(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a receiver on a random free port of 127.0.0.1. */
export async function startTelemetryReceiver(): Promise<TelemetryReceiver> {
  const receptions: Reception[] = [];
  const ledger = new Map<string, TelemetryEvent>();
  let server: Server | undefined;
  let port = 0;

  const receiver: TelemetryReceiver = {
    get url() {
      return `http://127.0.0.1:${port}/v1/telemetry`;
    },
    get port() {
      return port;
    },
    receptions,
    ledger,
    answer: () => ({ kind: 'accept' }),
    async stop() {
      const running = server;
      server = undefined;
      if (running === undefined) return;
      await new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
    },
    async start() {
      const next = createServer((request, response) => void handle(request, response));
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, '127.0.0.1', () => resolve());
      });
      port = (next.address() as AddressInfo).port;
      server = next;
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const plan = receiver.answer(receptions.length);
    const events = (JSON.parse(body) as { events: TelemetryEvent[] }).events;
    const reception: Reception = {
      eventIds: events.map((event) => event.eventId),
      acknowledged: false,
      status: undefined,
      authorization: request.headers.authorization,
    };
    receptions.push(reception);
    if (plan.kind === 'status') {
      reception.status = plan.status;
      response.writeHead(plan.status, { 'content-type': 'application/json', ...plan.headers });
      response.end('{"error":"refused by the test receiver"}');
      return;
    }
    for (const event of events) ledger.set(event.eventId, event);
    if (plan.kind === 'lose-acknowledgement') {
      request.socket.destroy();
      return;
    }
    reception.status = 202;
    reception.acknowledged = true;
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end(`{"accepted":${events.length}}`);
  }

  await receiver.start();
  return receiver;
}
