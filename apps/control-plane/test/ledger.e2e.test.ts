import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { price, type ModelPrice, type Usage } from '@switchboard/core';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billedAttempt, telemetryEvent } from '../src/cost/__fixtures__/ledger-test-app.ts';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { DATABASE } from '../src/database/database.module.ts';
import { TrafficOutcomeBus, type TrafficOutcome } from '../src/traffic/traffic-outcome-bus.ts';
import {
  adminCall,
  faultModels,
  startGatewayTestApp,
  type GatewayTestApp,
} from './support/gateway-test-app.ts';

/** The reference LiteLLM catalog (US dollars per token, as floats). */
const catalog = JSON.parse(
  readFileSync(new URL('../../../../shared/reference/litellm-model-prices.json', import.meta.url), 'utf8'),
) as Record<string, { input_cost_per_token: number; output_cost_per_token: number }>;

/** A catalog row as integer micro-dollars per million tokens: dollars per token x 10^12, computed here. */
function catalogPrice(key: string, version: string): ModelPrice {
  const row = catalog[key]!;
  return {
    inputPerMillionMicros: Math.round(row.input_cost_per_token * 1e12),
    outputPerMillionMicros: Math.round(row.output_cost_per_token * 1e12),
    version,
  };
}

function usageOf(inputTokens: number, outputTokens: number): Usage {
  return {
    inputTokens: { total: inputTokens, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: outputTokens, reasoning: undefined },
  };
}

function knownMicros(usage: Usage, modelPrice: ModelPrice): number {
  const cost = price(usage, modelPrice);
  if (cost.status !== 'known') throw new Error('expected a known cost');
  return cost.micros;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const hourMs = 3_600_000;

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`a scripted day of traffic into the ledger on ${target.name}`, () => {
    let app: GatewayTestApp;
    let database: Kysely<unknown>;
    const published: TrafficOutcome[] = [];
    const gpt4o = catalogPrice('gpt-4o', 'litellm-reference');
    const gpt4oMini = catalogPrice('gpt-4o-mini', 'litellm-reference');
    /** What the test expects, computed from the catalog as each request is made. */
    const expected = { costMicros: 0, unknownCostAttempts: 0, attempts: 0, requests: 0 };
    const decisions: { decisionId: string; costMicros: number }[] = [];
    let now = 0;

    beforeAll(async () => {
      app = await startGatewayTestApp(target);
      database = app.controlPlane.app.get<Kysely<unknown>>(DATABASE);
      app.controlPlane.app.get(TrafficOutcomeBus).subscribe((outcome) => published.push(outcome));
      // The healthy model is priced like gpt-4o; the tool-using one has no price at all.
      const priced = await adminCall(
        app.base,
        'PATCH',
        `/admin/models/${encodeURIComponent(faultModels.healthy)}`,
        {
          price: gpt4o,
        },
      );
      expect(priced.status).toBe(200);
      const unpriced = await adminCall(
        app.base,
        'PATCH',
        `/admin/models/${encodeURIComponent(faultModels.healthyTools)}`,
        { price: null },
      );
      expect(unpriced.status).toBe(200);
      now = Date.now();

      // Gateway traffic: plain requests answered by the priced model, tool requests by the unpriced one.
      // Each request pins its model: what selection picks between two equally good models depends on
      // the latency it has measured and on exploration, and this test is about what the ledger stores.
      for (let index = 0; index < 6; index += 1) {
        const tools = index % 3 === 2;
        const response = await fetch(`${app.base}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...app.authorization },
          body: JSON.stringify({
            model: tools ? faultModels.healthyTools : faultModels.healthy,
            messages: [{ role: 'user', content: `Turn ${index}: I walk to the lighthouse.` }],
            switchboard: { player: `player-${index % 2}`, session: 'session-day', tenant: 'tenant-day' },
            ...(tools
              ? {
                  tools: [
                    { type: 'function', function: { name: 'look_around', parameters: { type: 'object' } } },
                  ],
                }
              : {}),
          }),
        });
        expect(response.status).toBe(200);
        const body = (await response.json()) as {
          model: string;
          usage: { prompt_tokens: number; completion_tokens: number };
        };
        expect(body.model).toBe(tools ? faultModels.healthyTools : faultModels.healthy);
        const usage = usageOf(body.usage.prompt_tokens, body.usage.completion_tokens);
        const costMicros = tools ? 0 : knownMicros(usage, gpt4o);
        expected.costMicros += costMicros;
        expected.unknownCostAttempts += tools ? 1 : 0;
        expected.attempts += 1;
        expected.requests += 1;
        decisions.push({ decisionId: response.headers.get('x-switchboard-decision-id')!, costMicros });
      }

      // SDK traffic over the past day, with known usage priced from the same catalog.
      const events = Array.from({ length: 24 }, (_, hour) => {
        const usage = usageOf(200 + hour * 10, 30 + hour);
        const unpricedAttempt = hour % 6 === 0;
        const cost = unpricedAttempt
          ? ({ status: 'unknown', reason: 'no-price' } as const)
          : ({ status: 'known', micros: knownMicros(usage, gpt4oMini) } as const);
        expected.costMicros += cost.status === 'known' ? cost.micros : 0;
        expected.unknownCostAttempts += unpricedAttempt ? 1 : 0;
        expected.attempts += 2;
        expected.requests += 1;
        return telemetryEvent({
          occurredAt: new Date(now - (hour + 1) * hourMs).toISOString(),
          tenantId: 'tenant-day',
          playerId: 'sdk-player',
          attempts: [
            billedAttempt({
              modelId: 'sdk/flaky',
              provider: 'sdk-provider',
              outcome: 'failed',
              errorKind: 'server',
              status: 500,
              billed: false,
              cost: { status: 'known', micros: 0 },
              priceVersion: null,
            }),
            billedAttempt({
              modelId: unpricedAttempt ? 'sdk/unpriced' : 'sdk/mini',
              provider: 'sdk-provider',
              usage: {
                inputTokens: usage.inputTokens.total!,
                outputTokens: usage.outputTokens.total!,
                cacheReadTokens: null,
                cacheWriteTokens: null,
                reasoningTokens: null,
              },
              cost,
              priceVersion: unpricedAttempt ? null : 'litellm-reference',
              durationMs: 300 + hour,
            }),
          ],
          fallback: true,
        });
      });
      const ingest = await fetch(`${app.base}/v1/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.authorization },
        body: JSON.stringify({ events }),
      });
      expect(ingest.status).toBe(200);
    });
    afterAll(() => app?.close());

    const range = () => ({
      from: new Date(Math.floor(now / hourMs) * hourMs - 26 * hourMs).toISOString(),
      to: new Date(Math.floor(now / hourMs) * hourMs + 2 * hourMs).toISOString(),
    });

    const costReport = async (query: string) => {
      const answer = await adminCall(app.base, 'GET', `/admin/analytics/cost?${query}`);
      expect(answer.status).toBe(200);
      return answer.body;
    };

    it('totals equal the sum computed from the price catalog, unpriced attempts counted as unknown, not 0', async () => {
      const { from, to } = range();
      const report = await until(
        () => costReport(`from=${from}&to=${to}&groupBy=model`),
        (body) => body.totals.requests >= expected.requests,
      );
      expect(report.totals).toEqual(expected);
      const byModel = Object.fromEntries(report.rows.map((row: { model: string }) => [row.model, row]));
      expect(byModel[faultModels.healthyTools]).toMatchObject({
        costMicros: 0,
        unknownCostAttempts: 2,
        attempts: 2,
      });
      expect(byModel['sdk/unpriced']).toMatchObject({ costMicros: 0, unknownCostAttempts: 4 });
      expect(byModel['sdk/flaky']).toMatchObject({ costMicros: 0, unknownCostAttempts: 0, attempts: 24 });
      const { rows } = await sql<{ cost_micros: unknown }>`
        select cost_micros from ledger_entries where model_id = ${faultModels.healthyTools}`.execute(
        database,
      );
      expect(rows.map((row) => row.cost_micros)).toEqual([null, null]);
      expect(report.monthToDate.costMicros).toBeGreaterThan(0);
      expect(report.monthToDate.projectedMonthMicros).toBeGreaterThanOrEqual(report.monthToDate.costMicros);
    });

    it('writes gateway outcomes to the same ledger and publishes each once, stamped with the price version', async () => {
      const { rows } = await sql<Record<string, unknown>>`
        select source, price_version, player_id, session_id, tenant_id, bill_reason, decision_id
        from ledger_entries where model_id = ${faultModels.healthy} order by occurred_at`.execute(database);
      expect(rows).toHaveLength(4);
      for (const row of rows) {
        expect(row).toMatchObject({
          source: 'gateway',
          price_version: 'litellm-reference',
          session_id: 'session-day',
          tenant_id: 'tenant-day',
          bill_reason: 'completed',
        });
      }
      const gatewayEvents = published.filter((outcome) => outcome.source === 'gateway');
      expect(gatewayEvents.map((outcome) => outcome.event.decisionId).sort()).toEqual(
        decisions.map((decision) => decision.decisionId).sort(),
      );
    });

    it('gives the same figures from the hourly rollup (whole hours) as from the ledger (any instant)', async () => {
      const { from, to } = range();
      const aligned = await costReport(`from=${from}&to=${to}&groupBy=day,model,tenant`);
      const unaligned = await costReport(
        `from=${new Date(Date.parse(from) + 1).toISOString()}&to=${to}&groupBy=day,model,tenant`,
      );
      expect(aligned.rows).toEqual(unaligned.rows);
      expect(aligned.totals).toEqual(expected);
    });

    it('groups cost by player and by session, and rejects a bad parameter naming it', async () => {
      const { from, to } = range();
      const byPlayer = await costReport(`from=${from}&to=${to}&groupBy=player`);
      const gatewayPlayers = byPlayer.rows.filter((row: { player: string }) =>
        row.player?.startsWith('player-'),
      );
      expect(
        gatewayPlayers.map((row: { player: string; requests: number }) => [row.player, row.requests]),
      ).toEqual([
        ['player-0', 3],
        ['player-1', 3],
      ]);
      const bySession = await costReport(`from=${from}&to=${to}&groupBy=session`);
      const day = bySession.rows.find((row: { session: string }) => row.session === 'session-day');
      expect(day.costMicros).toBe(decisions.reduce((total, decision) => total + decision.costMicros, 0));
      for (const [query, parameter] of [
        ['groupBy=model,colour', 'groupBy'],
        ['from=yesterday', 'from'],
        ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
        ['to=2026-13-45', 'to'],
      ] as const) {
        const answer = await adminCall(app.base, 'GET', `/admin/analytics/cost?${query}`);
        expect(answer.status).toBe(400);
        expect(answer.body.error.issues.map((issue: { path: string }) => issue.path)).toContain(parameter);
      }
      const service = await fetch(`${app.base}/admin/analytics/cost`, { headers: app.authorization });
      expect(service.status).toBe(403);
    });

    it('reports performance and quality per dollar where feedback exists', async () => {
      const scored = decisions.find((decision) => decision.costMicros > 0)!;
      const feedback = await fetch(`${app.base}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.authorization },
        body: JSON.stringify({ decisionId: scored.decisionId, score: 0.8 }),
      });
      expect(feedback.status).toBe(202);
      const { from, to } = range();
      const answer = await adminCall(
        app.base,
        'GET',
        `/admin/analytics/performance?from=${from}&to=${to}&groupBy=model`,
      );
      expect(answer.status).toBe(200);
      const byModel = Object.fromEntries(answer.body.rows.map((row: { model: string }) => [row.model, row]));
      expect(byModel['sdk/flaky']).toMatchObject({
        requests: 24,
        attempts: 24,
        errorRate: 1,
        fallbackRate: 1,
      });
      expect(byModel['sdk/mini']).toMatchObject({
        errorRate: 0,
        meanQuality: null,
        feedbackCount: 0,
        qualityPerDollar: null,
      });
      expect(byModel['sdk/mini'].p50LatencyMs).toBeGreaterThanOrEqual(300);
      expect(byModel['sdk/mini'].p95LatencyMs).toBeGreaterThanOrEqual(byModel['sdk/mini'].p50LatencyMs);
      const healthy = byModel[faultModels.healthy];
      expect(healthy).toMatchObject({
        requests: 4,
        errorRate: 0,
        fallbackRate: 0,
        meanQuality: 0.8,
        feedbackCount: 1,
      });
      expect(healthy.qualityPerDollar).toBeCloseTo(0.8 / (scored.costMicros / 1_000_000), 6);
    });
  });
}
