import 'reflect-metadata';
import { sql } from 'kysely';
import { createHttpTelemetrySink } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminJson,
  billedAttempt,
  ledgerCounts,
  postTelemetry,
  startLedgerTestApp,
  telemetryEvent,
  type LedgerTestApp,
} from '../src/cost/__fixtures__/ledger-test-app.ts';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { ModelHealthService } from '../src/health/model-health.service.ts';
import { TrafficOutcomeBus, type TrafficOutcome } from '../src/traffic/traffic-outcome-bus.ts';

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`telemetry ingest on ${target.name}`, () => {
    let app: LedgerTestApp;
    const published: TrafficOutcome[] = [];

    beforeAll(async () => {
      app = await startLedgerTestApp(target);
      app.controlPlane.app.get(TrafficOutcomeBus).subscribe((outcome) => published.push(outcome));
    });
    afterAll(() => app?.close());

    it('stores a batch once however often it is sent, and publishes each event once', async () => {
      const before = await ledgerCounts(app.database);
      const batch = {
        events: [
          telemetryEvent({ playerId: 'replay-player' }),
          telemetryEvent({
            playerId: 'replay-player',
            attempts: [
              billedAttempt({
                outcome: 'failed',
                errorKind: 'server',
                status: 503,
                billed: false,
                cost: { status: 'known', micros: 0 },
                usage: {
                  inputTokens: null,
                  outputTokens: null,
                  cacheReadTokens: null,
                  cacheWriteTokens: null,
                  reasoningTokens: null,
                },
                timeToFirstTokenMs: null,
                priceVersion: null,
              }),
              billedAttempt({
                modelId: 'sim/balanced',
                startedAfterMs: 50,
                cost: { status: 'known', micros: 130 },
              }),
            ],
            fallback: true,
          }),
        ],
      };
      const answers = [];
      for (let send = 0; send < 3; send += 1)
        answers.push(await postTelemetry(app.base, app.serviceKey, batch));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers[0]!.body).toEqual({ received: 2, stored: 2, duplicates: 0 });
      expect(answers[1]!.body).toEqual({ received: 2, stored: 0, duplicates: 2 });
      expect(answers[2]!.body).toEqual({ received: 2, stored: 0, duplicates: 2 });
      const after = await ledgerCounts(app.database);
      expect(after.events - before.events).toBe(2);
      expect(after.entries - before.entries).toBe(3);
      expect(after.costMicros - before.costMicros).toBe(70 + 130);
      expect(after.rollupCostMicros).toBe(after.costMicros);
      const ids = batch.events.map((event) => event.eventId);
      expect(published.filter((outcome) => ids.includes(outcome.event.eventId))).toHaveLength(2);
      expect(published.every((outcome) => outcome.source === 'sdk')).toBe(true);
    });

    it('stores a batch sent three times at once exactly once', async () => {
      const before = await ledgerCounts(app.database);
      const batch = {
        events: Array.from({ length: 20 }, () => telemetryEvent({ playerId: 'concurrent-player' })),
      };
      const answers = await Promise.all([0, 1, 2].map(() => postTelemetry(app.base, app.serviceKey, batch)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(answers.reduce((total, answer) => total + Number(answer.body.stored), 0)).toBe(20);
      const after = await ledgerCounts(app.database);
      expect(after.events - before.events).toBe(20);
      expect(after.entries - before.entries).toBe(20);
      expect(after.rollupCostMicros).toBe(after.costMicros);
    });

    it('records one ledger row per attempt with why it was billed, and an unpriced attempt as unknown', async () => {
      const event = telemetryEvent({
        attempts: [
          billedAttempt({ outcome: 'cancelled', hedge: true, cost: { status: 'known', micros: 11 } }),
          billedAttempt({
            modelId: 'local/unpriced',
            provider: 'local',
            cost: { status: 'unknown', reason: 'no-price' },
            priceVersion: null,
          }),
        ],
      });
      expect((await postTelemetry(app.base, app.serviceKey, { events: [event] })).status).toBe(200);
      const { rows } = await sql<Record<string, unknown>>`
        select attempt_index, model_id, billed, bill_reason, cost_status, cost_micros, unknown_cost_reason, hedge, source,
          tenant_id, decision_id
        from ledger_entries where event_id = ${event.eventId} order by attempt_index`.execute(app.database);
      expect(
        rows.map((row) => ({
          ...row,
          cost_micros: row.cost_micros === null ? null : Number(row.cost_micros),
        })),
      ).toEqual([
        {
          attempt_index: 0,
          model_id: 'sim/fast-small',
          billed: true,
          bill_reason: 'cancelled-after-accept',
          cost_status: 'known',
          cost_micros: 11,
          unknown_cost_reason: null,
          hedge: true,
          source: 'sdk',
          tenant_id: 'tenant-a',
          decision_id: event.decisionId,
        },
        {
          attempt_index: 1,
          model_id: 'local/unpriced',
          billed: true,
          bill_reason: 'completed',
          cost_status: 'unknown',
          cost_micros: null,
          unknown_cost_reason: 'no-price',
          hedge: false,
          source: 'sdk',
          tenant_id: 'tenant-a',
          decision_id: event.decisionId,
        },
      ]);
    });

    it('refuses a batch with a bad event whole, naming the field, and stores nothing of it', async () => {
      const before = await ledgerCounts(app.database);
      const good = telemetryEvent();
      const bad = telemetryEvent({ attempts: [billedAttempt({ cost: { status: 'known', micros: -5 } })] });
      const answer = await postTelemetry(app.base, app.serviceKey, { events: [good, bad] });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_request');
      expect(answer.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(
        'events.1.attempts.0.cost.micros',
      );
      expect(await ledgerCounts(app.database)).toEqual(before);
    });

    it('names an unknown schema version instead of guessing at its fields', async () => {
      const answer = await postTelemetry(app.base, app.serviceKey, {
        events: [{ ...telemetryEvent(), schemaVersion: 2 }],
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.issues[0].path).toBe('events.0.schemaVersion');
      expect(answer.body.error.issues[0].message).toMatch(/not supported/);
    });

    it('refuses a body that is not a batch, and a request without a service key', async () => {
      const notBatch = await postTelemetry(app.base, app.serviceKey, [telemetryEvent()]);
      expect(notBatch.status).toBe(400);
      const anonymous = await postTelemetry(app.base, undefined, { events: [telemetryEvent()] });
      expect(anonymous.status).toBe(401);
    });

    it('accepts what the SDK HTTP sink sends, and feeds passive health from its attempts', async () => {
      const sink = createHttpTelemetrySink({
        endpoint: `${app.base}/v1/telemetry`,
        apiKey: app.serviceKey,
        flushIntervalMs: 50,
      });
      const events = Array.from({ length: 5 }, () =>
        telemetryEvent({ playerId: 'sink-player', attempts: [billedAttempt({ modelId: 'sim/sink-model' })] }),
      );
      for (const event of events) sink.emit(event);
      await sink.close({ timeoutMs: 30_000 });
      expect(sink.stats()).toMatchObject({ sent: 5, dropped: 0, rejected: 0 });
      const { rows } = await sql<{ count: unknown }>`
        select count(*) as count from ledger_entries where player_id = 'sink-player'`.execute(app.database);
      expect(Number(rows[0]!.count)).toBe(5);
      const health = app.controlPlane.app.get(ModelHealthService).describe('sim/sink-model', 'sim');
      expect(health.window.attempts).toBeGreaterThanOrEqual(5);
    });

    it('shows ingested traffic in cost analytics, unknown cost counted apart from known cost', async () => {
      const occurredAt = '2026-03-04T10:15:00.000Z';
      const events = [
        telemetryEvent({
          occurredAt,
          tenantId: 'tenant-analytics',
          attempts: [billedAttempt({ cost: { status: 'known', micros: 1000 } })],
        }),
        telemetryEvent({
          occurredAt,
          tenantId: 'tenant-analytics',
          attempts: [
            billedAttempt({
              modelId: 'local/unpriced',
              provider: 'local',
              cost: { status: 'unknown', reason: 'no-price' },
              priceVersion: null,
            }),
          ],
        }),
      ];
      expect((await postTelemetry(app.base, app.serviceKey, { events })).status).toBe(200);
      const report = await adminJson(
        app.base,
        'GET',
        '/admin/analytics/cost?from=2026-03-04T00:00:00Z&to=2026-03-05T00:00:00Z&groupBy=tenant,model',
      );
      expect(report.status).toBe(200);
      expect(report.body.rows).toEqual([
        expect.objectContaining({
          tenant: 'tenant-analytics',
          model: 'local/unpriced',
          costMicros: 0,
          unknownCostAttempts: 1,
          attempts: 1,
          requests: 1,
        }),
        expect.objectContaining({
          tenant: 'tenant-analytics',
          model: 'sim/fast-small',
          costMicros: 1000,
          unknownCostAttempts: 0,
          attempts: 1,
          requests: 1,
        }),
      ]);
      expect(report.body.totals).toEqual({
        costMicros: 1000,
        unknownCostAttempts: 1,
        attempts: 2,
        requests: 2,
      });
    });
  });
}
