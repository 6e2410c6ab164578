import { createHttpTelemetrySink, type TelemetryEvent } from '@switchboard/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startBuiltControlPlane,
  type BuiltControlPlane,
} from '../src/cost/__fixtures__/built-control-plane.ts';
import { billedAttempt, telemetryEvent } from '../src/cost/__fixtures__/ledger-test-app.ts';
import { testDatabaseTargets, type TestDatabase } from '../src/database/__fixtures__/test-databases.ts';

const adminKey = 'sb_admin_telemetry-crash-bootstrap-key';
const totalEvents = 3000;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function admin(base: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inspected field by field
  return { status: response.status, body: (await response.json()) as any };
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(
    `telemetry across a SIGKILL of the built control plane on ${target.name}`,
    () => {
      let database: TestDatabase | undefined;
      let running: BuiltControlPlane | undefined;
      afterAll(async () => {
        await running?.stop('SIGTERM');
        await database?.dispose();
      });

      it(
        'stores every event exactly once after the instance is killed mid-stream and restarted',
        { timeout: 300_000 },
        async () => {
          database = await target.create();
          const port = await freePort();
          const { settings } = database;
          const env: Record<string, string> = {
            PORT: String(port),
            HOST: '127.0.0.1',
            SWITCHBOARD_ADMIN_KEY: adminKey,
            LOG_LEVEL: 'warn',
            SWITCHBOARD_PROBE_INTERVAL_MS: '0',
            ...(settings.databaseUrl === undefined
              ? { SWITCHBOARD_DATA_DIR: settings.dataDir }
              : {
                  DATABASE_URL: settings.databaseUrl,
                  SWITCHBOARD_DATABASE_SCHEMA: settings.databaseSchema!,
                }),
          };
          running = await startBuiltControlPlane(env);
          const key = await admin(running.base, 'POST', '/admin/api-keys', {
            name: 'crash-test',
            scope: 'service',
            rateLimitPerMinute: 1_000_000,
          });
          expect(key.status).toBe(201);
          const problems: string[] = [];
          const sink = createHttpTelemetrySink({
            endpoint: `${running.base}/v1/telemetry`,
            apiKey: String(key.body.key),
            batchSize: 50,
            flushIntervalMs: 20,
            maxBufferedEvents: 100_000,
            retry: { baseMs: 50, maxMs: 500 },
            onProblem: (problem) => problems.push(problem.kind),
          });
          const events: TelemetryEvent[] = [];
          const emit = (count: number) => {
            for (let index = 0; index < count; index += 1) {
              const micros = events.length + 1;
              const event = telemetryEvent({
                playerId: 'crash-player',
                occurredAt: new Date().toISOString(),
                attempts: [billedAttempt({ cost: { status: 'known', micros } })],
              });
              events.push(event);
              sink.emit(event);
            }
          };

          // A steady stream; the instance is killed while batches are on the wire.
          emit(totalEvents / 2);
          await waitFor(() => sink.stats().sent >= 400, 'the first deliveries');
          await running.stop('SIGKILL');
          emit(totalEvents / 4);
          running = await startBuiltControlPlane(env);
          emit(totalEvents / 4);
          await sink.close({ timeoutMs: 120_000 });

          expect(sink.stats()).toMatchObject({ sent: totalEvents, dropped: 0, rejected: 0 });
          expect(problems).toContain('delivery-failed');
          const now = Date.now();
          const query = `from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}&groupBy=player`;
          const report = await admin(running.base, 'GET', `/admin/analytics/cost?${query}`);
          expect(report.status).toBe(200);
          expect(report.body.totals).toEqual({
            costMicros: (totalEvents * (totalEvents + 1)) / 2,
            unknownCostAttempts: 0,
            attempts: totalEvents,
            requests: totalEvents,
          });
          expect(report.body.rows).toEqual([
            expect.objectContaining({ player: 'crash-player', attempts: totalEvents, requests: totalEvents }),
          ]);
          // The rollup, written in the same statement, agrees with the ledger after the crash too.
          const hourly = await admin(
            running.base,
            'GET',
            `/admin/analytics/cost?from=${new Date(Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000).toISOString()}&to=${new Date(Math.ceil(now / 3_600_000) * 3_600_000 + 3_600_000).toISOString()}&groupBy=model`,
          );
          expect(hourly.body.rows).toEqual([
            expect.objectContaining({
              model: 'sim/fast-small',
              attempts: totalEvents,
              requests: totalEvents,
              costMicros: (totalEvents * (totalEvents + 1)) / 2,
            }),
          ]);
        },
      );
    },
  );
}
