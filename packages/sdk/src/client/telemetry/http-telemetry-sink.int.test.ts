import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleTelemetryEvent } from './__fixtures__/sample-telemetry-event.ts';
import { startTelemetryReceiver, type TelemetryReceiver } from './__fixtures__/telemetry-receiver.ts';
import { createHttpTelemetrySink, type TelemetrySinkProblem } from './http-telemetry-sink.ts';
import type { TelemetrySink } from './telemetry-sink.ts';

const receivers: TelemetryReceiver[] = [];
const sinks: TelemetrySink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close({ timeoutMs: 100 })));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function receiver(): Promise<TelemetryReceiver> {
  const started = await startTelemetryReceiver();
  receivers.push(started);
  return started;
}

function track<Sink extends TelemetrySink>(sink: Sink): Sink {
  sinks.push(sink);
  return sink;
}

/** Polls until `condition` holds; the test's own timeout bounds the wait. */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function emitRange(sink: TelemetrySink, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let index = from; index < to; index++) {
    const event = sampleTelemetryEvent(index);
    sink.emit(event);
    ids.push(event.eventId);
  }
  return ids;
}

describe('createHttpTelemetrySink against a loopback receiver', () => {
  it('delivers every event exactly once into the ledger across an outage, with ids kept across retries', async () => {
    const server = await receiver();
    const problems: TelemetrySinkProblem[] = [];
    const sink = track(
      createHttpTelemetrySink({
        endpoint: server.url,
        apiKey: 'service-key',
        batchSize: 10,
        flushIntervalMs: 20,
        retry: { baseMs: 10, maxMs: 80 },
        onProblem: (problem) => problems.push(problem),
      }),
    );

    const emitted = emitRange(sink, 0, 25);
    await sink.flush();
    expect(server.ledger.size).toBe(25);

    await server.stop();
    emitted.push(...emitRange(sink, 25, 65));
    await eventually(() => sink.stats().failedAttempts >= 3);

    // Back up, but the first two answers are lost on the way: the sender must retry batches the
    // receiver already stored, and the ledger must still hold each event once.
    const receivedBeforeRestart = server.receptions.length;
    server.answer = (index) =>
      index < receivedBeforeRestart + 2 ? { kind: 'lose-acknowledgement' } : { kind: 'accept' };
    await server.start();
    emitted.push(...emitRange(sink, 65, 100));
    await sink.close({ timeoutMs: 10_000 });

    expect([...server.ledger.keys()].sort()).toEqual([...emitted].sort());
    expect(sink.stats()).toMatchObject({ sent: 100, dropped: 0, rejected: 0, buffered: 0 });
    expect(sink.stats().failedAttempts).toBeGreaterThanOrEqual(5);

    // At-least-once with idempotent ids: each id was acknowledged exactly once, and every extra
    // copy the receiver saw was in a request whose acknowledgement never reached the sender.
    const acknowledgements = new Map<string, number>();
    const copies = new Map<string, number>();
    for (const reception of server.receptions) {
      for (const id of reception.eventIds) {
        copies.set(id, (copies.get(id) ?? 0) + 1);
        if (reception.acknowledged) acknowledgements.set(id, (acknowledgements.get(id) ?? 0) + 1);
      }
    }
    for (const id of emitted) expect(acknowledgements.get(id), id).toBe(1);
    const unacknowledgedCopies = server.receptions
      .filter((reception) => !reception.acknowledged)
      .reduce((total, reception) => total + reception.eventIds.length, 0);
    const extraCopies = [...copies.values()].reduce((total, count) => total + count - 1, 0);
    expect(extraCopies).toBe(unacknowledgedCopies);
    expect(extraCopies).toBeGreaterThan(0);

    expect(server.receptions.every((reception) => reception.authorization === 'Bearer service-key')).toBe(
      true,
    );
    expect(problems.some((problem) => problem.kind === 'delivery-failed')).toBe(true);
  });

  it('keeps memory bounded while the receiver is down, dropping the oldest events and counting them', async () => {
    const server = await receiver();
    await server.stop();
    const sink = track(
      createHttpTelemetrySink({
        endpoint: server.url,
        batchSize: 5,
        maxBufferedEvents: 10,
        flushIntervalMs: 60_000,
        retry: { baseMs: 60_000, maxMs: 60_000 },
        onProblem: () => {},
      }),
    );

    const emitted = emitRange(sink, 0, 25);
    expect(sink.stats()).toMatchObject({ buffered: 10, dropped: 15 });
    await eventually(() => sink.stats().failedAttempts === 1);
    // The failed batch waits for its retry at the head of the line, so it is the first to go.
    emitted.push(...emitRange(sink, 25, 28));
    expect(sink.stats()).toMatchObject({ buffered: 10, dropped: 18 });

    await server.start();
    await sink.close({ timeoutMs: 10_000 });
    expect([...server.ledger.keys()].sort()).toEqual(emitted.slice(-10).sort());
    expect(sink.stats()).toMatchObject({ sent: 10, dropped: 18, buffered: 0 });
  });

  it('treats a 4xx other than 408 and 429 as permanent: the batch is dropped, counted, and logged without content', async () => {
    const server = await receiver();
    server.answer = (index) => (index === 0 ? { kind: 'status', status: 400 } : { kind: 'accept' });
    const problems: TelemetrySinkProblem[] = [];
    const sink = track(
      createHttpTelemetrySink({
        endpoint: server.url,
        batchSize: 5,
        flushIntervalMs: 60_000,
        retry: { baseMs: 10, maxMs: 20 },
        onProblem: (problem) => problems.push(problem),
      }),
    );

    for (let index = 0; index < 5; index++)
      sink.emit(sampleTelemetryEvent(index, 'player-who-must-not-be-logged'));
    await sink.flush();
    const later = emitRange(sink, 5, 10);
    await sink.flush();

    expect(server.receptions.map((reception) => reception.status)).toEqual([400, 202]);
    expect([...server.ledger.keys()].sort()).toEqual(later.sort());
    expect(sink.stats()).toMatchObject({ sent: 5, rejected: 5, dropped: 5, failedAttempts: 0 });
    expect(problems).toEqual([expect.objectContaining({ kind: 'batch-rejected', status: 400, events: 5 })]);
    const logged = JSON.stringify(problems);
    expect(logged).not.toContain('player-who-must-not-be-logged');
    expect(logged).not.toContain('event-0');
  });

  it('retries 408, 429 and 5xx, waiting at least as long as Retry-After asks', async () => {
    const server = await receiver();
    const answers = [
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 408 },
    ] as const;
    server.answer = (index) => answers[index] ?? { kind: 'accept' };
    const problems: TelemetrySinkProblem[] = [];
    const sink = track(
      createHttpTelemetrySink({
        endpoint: server.url,
        batchSize: 3,
        flushIntervalMs: 60_000,
        retry: { baseMs: 10, maxMs: 20 },
        onProblem: (problem) => problems.push(problem),
      }),
    );

    const emitted = emitRange(sink, 0, 3);
    await sink.close({ timeoutMs: 10_000 });

    expect(server.receptions.map((reception) => reception.status)).toEqual([429, 503, 408, 202]);
    expect(server.receptions.every((reception) => reception.eventIds.join() === emitted.join())).toBe(true);
    expect(problems.map((problem) => problem.status)).toEqual([429, 503, 408]);
    expect(problems[0]?.retryInMs).toBeGreaterThanOrEqual(1000);
    expect(problems[1]?.retryInMs).toBeLessThanOrEqual(20);
    expect(sink.stats()).toMatchObject({ sent: 3, failedAttempts: 3, dropped: 0 });
  });

  it('delivers everything buffered on close(), then drops later events', async () => {
    const server = await receiver();
    const sink = track(createHttpTelemetrySink({ endpoint: server.url, flushIntervalMs: 60_000 }));
    const emitted = emitRange(sink, 0, 30);
    expect(server.receptions).toHaveLength(0);

    await sink.close();
    expect(server.receptions).toHaveLength(1);
    expect(server.receptions[0]?.eventIds).toEqual(emitted);

    sink.emit(sampleTelemetryEvent(30));
    await sink.flush();
    expect(server.receptions).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ sent: 30, dropped: 1, buffered: 0 });
  });

  it('gives up at the close timeout when the receiver stays down, reporting how many events were lost', async () => {
    const server = await receiver();
    await server.stop();
    const problems: TelemetrySinkProblem[] = [];
    const sink = track(
      createHttpTelemetrySink({
        endpoint: server.url,
        flushIntervalMs: 60_000,
        retry: { baseMs: 10, maxMs: 40 },
        onProblem: (problem) => problems.push(problem),
      }),
    );
    emitRange(sink, 0, 12);

    await sink.close({ timeoutMs: 150 });
    expect(sink.stats()).toMatchObject({ sent: 0, dropped: 12, buffered: 0 });
    expect(problems.at(-1)).toMatchObject({ kind: 'dropped-at-close', events: 12 });
  });

  it('never throws into the caller, even for an event that cannot be serialised', async () => {
    const server = await receiver();
    const sink = track(createHttpTelemetrySink({ endpoint: server.url, onProblem: () => {} }));
    const broken = { ...sampleTelemetryEvent(0), totalLatencyMs: 10n as unknown as number };
    expect(() => sink.emit(broken)).not.toThrow();
    await sink.flush();
    expect(sink.stats()).toMatchObject({ rejected: 1, dropped: 1 });
  });

  it.each([
    ['is down (a retry is pending)', false],
    ['answers (a connection may be kept alive)', true],
  ])(
    'does not keep the process alive when the receiver %s and close() is never called',
    async (_, up) => {
      const server = await receiver();
      if (!up) await server.stop();
      const folder = await mkdtemp(path.join(tmpdir(), 'switchboard-telemetry-'));
      const sinkModule = fileURLToPath(new URL('./http-telemetry-sink.ts', import.meta.url));
      const eventModule = fileURLToPath(new URL('./__fixtures__/sample-telemetry-event.ts', import.meta.url));
      const script = path.join(folder, 'host.ts');
      await writeFile(
        script,
        `import { createHttpTelemetrySink } from ${JSON.stringify(sinkModule)};\n` +
          `import { sampleTelemetryEvent } from ${JSON.stringify(eventModule)};\n` +
          `const sink = createHttpTelemetrySink({ endpoint: ${JSON.stringify(server.url)}, batchSize: 1, onProblem: () => {} });\n` +
          `sink.emit(sampleTelemetryEvent(1));\n` +
          `console.log('emitted');\n`,
      );
      try {
        const exit = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--conditions=@switchboard/source', '--import', 'tsx', script],
            {
              cwd: fileURLToPath(new URL('../../../', import.meta.url)),
              stdio: ['ignore', 'pipe', 'pipe'],
              // A process that does not exit is the failure under test: end it rather than leak it.
              timeout: 15_000,
              killSignal: 'SIGKILL',
            },
          );
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.on('error', reject);
          child.on('exit', (code) => resolve({ code, output }));
        });
        expect(exit).toEqual({ code: 0, output: 'emitted\n' });
        if (up) expect([...server.ledger.keys()]).toEqual(['event-1']);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    20_000,
  );
});
