import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminJson,
  billedAttempt,
  postTelemetry,
  startLedgerTestApp,
  telemetryEvent,
  type LedgerTestApp,
} from '../src/cost/__fixtures__/ledger-test-app.ts';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { eventually, type BudgetReading } from './budgets-support.ts';

/** The budget `id` as `GET /admin/budgets` lists it. */
async function listed(base: string, id: string): Promise<BudgetReading> {
  const answer = await adminJson(base, 'GET', '/admin/budgets');
  expect(answer.status).toBe(200);
  const budget = (answer.body as { data?: BudgetReading[] } | BudgetReading[]) ?? [];
  const all = Array.isArray(budget) ? budget : (budget.data ?? []);
  const found = all.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`budget ${id} is not listed`);
  return found;
}

async function createBudget(base: string, body: Record<string, unknown>): Promise<void> {
  const answer = await adminJson(base, 'POST', '/admin/budgets', body);
  expect(answer.status).toBe(201);
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`budgets and direct-mode spending on ${target.name}`, () => {
    let app: LedgerTestApp;

    beforeAll(async () => {
      app = await startLedgerTestApp(target);
    });
    afterAll(() => app?.close());

    it('counts what an SDK reports through telemetry in every budget of its scope, once', async () => {
      const player = 'direct-player';
      await createBudget(app.base, {
        id: 'direct-player-day',
        scope: 'player',
        scopeId: player,
        period: 'day',
        limitMicros: 1_000_000,
        mode: 'hard',
      });
      await createBudget(app.base, {
        id: 'direct-tenant-day',
        scope: 'tenant',
        scopeId: 'direct-tenant',
        period: 'day',
        limitMicros: 1_000_000,
        mode: 'soft',
      });
      // The counters exist (and are seeded, with nothing) before the SDK reports anything.
      expect((await listed(app.base, 'direct-player-day')).spentMicros).toBe(0);
      expect((await listed(app.base, 'direct-tenant-day')).spentMicros).toBe(0);

      const scope = { playerId: player, tenantId: 'direct-tenant', sessionId: 'direct-session' };
      const batch = {
        events: [
          telemetryEvent({ ...scope, attempts: [billedAttempt({ cost: { status: 'known', micros: 70 } })] }),
          telemetryEvent({
            ...scope,
            attempts: [
              billedAttempt({ outcome: 'failed', billed: false, cost: { status: 'known', micros: 0 } }),
              billedAttempt({ cost: { status: 'known', micros: 130 } }),
              // A missing price adds nothing, as in the ledger's sum.
              billedAttempt({ cost: { status: 'unknown', reason: 'no-price' } }),
            ],
          }),
          telemetryEvent({ playerId: 'someone-else', attempts: [billedAttempt()] }),
        ],
      };
      expect((await postTelemetry(app.base, app.serviceKey, batch)).body).toMatchObject({ stored: 3 });
      await eventually(async () =>
        expect((await listed(app.base, 'direct-player-day')).spentMicros).toBe(200),
      );
      await eventually(async () =>
        expect((await listed(app.base, 'direct-tenant-day')).spentMicros).toBe(200),
      );

      // The SDK resends the same batch (it never heard the answer): nothing is added.
      expect((await postTelemetry(app.base, app.serviceKey, batch)).body).toMatchObject({
        stored: 0,
        duplicates: 3,
      });
      // Reported spending is settled in order, so once this later event counts, a replay would have too.
      const later = {
        events: [
          telemetryEvent({ ...scope, attempts: [billedAttempt({ cost: { status: 'known', micros: 5 } })] }),
        ],
      };
      expect((await postTelemetry(app.base, app.serviceKey, later)).body).toMatchObject({ stored: 1 });
      await eventually(async () =>
        expect((await listed(app.base, 'direct-player-day')).spentMicros).toBe(205),
      );
      expect((await listed(app.base, 'direct-tenant-day')).spentMicros).toBe(205);
    });

    it('starts a budget created again under a deleted id from its own scope’s spending', async () => {
      const spent = {
        events: [
          telemetryEvent({
            playerId: 'player-42',
            attempts: [billedAttempt({ cost: { status: 'known', micros: 72 } })],
          }),
        ],
      };
      expect((await postTelemetry(app.base, app.serviceKey, spent)).body).toMatchObject({ stored: 1 });
      const budget = {
        id: 'player-42-day',
        scope: 'player',
        period: 'day',
        limitMicros: 10_000,
        mode: 'hard',
      };
      await createBudget(app.base, { ...budget, scopeId: 'player-42' });
      // Created mid-day for a player who already spent today: today's spending counts.
      expect((await listed(app.base, 'player-42-day')).spentMicros).toBe(72);
      expect((await adminJson(app.base, 'DELETE', '/admin/budgets/player-42-day')).status).toBe(204);

      await createBudget(app.base, { ...budget, scopeId: 'player-43' });
      const recreated = await listed(app.base, 'player-42-day');
      expect(recreated).toMatchObject({ spentMicros: 0, remainingMicros: 10_000 });
    });
  });
}
