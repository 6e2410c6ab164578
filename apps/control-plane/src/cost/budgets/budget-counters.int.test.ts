import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../redis/redis-keys.ts';
import type { BudgetCounterStore, CounterTarget } from './budget-counters.ts';
import { LocalBudgetCounters } from './local-budget-counters.ts';
import { RedisBudgetCounters } from './redis-budget-counters.ts';

const redisUrl = process.env.REDIS_URL?.trim() || undefined;
if (redisUrl === undefined) {
  console.warn('REDIS_URL is not set: the Redis budget-script tests are skipped (CI sets it).');
}

const clients: Redis[] = [];
afterAll(async () => {
  for (const client of clients) {
    const prefix = (client as Redis & { budgetPrefix?: string }).budgetPrefix;
    if (prefix !== undefined) {
      const keys = await client.keys(`${prefix}:*`);
      if (keys.length > 0) await client.del(...keys);
    }
    client.disconnect();
  }
});

/** The stores under test, kysely-style: one suite in a loop over every implementation. */
const stores: { name: string; available: boolean; create(): BudgetCounterStore }[] = [
  { name: 'in-process', available: true, create: () => new LocalBudgetCounters() },
  {
    name: 'Redis (Lua scripts)',
    available: redisUrl !== undefined,
    create() {
      const prefix = `sb_test_budget_${randomBytes(6).toString('hex')}`;
      const client = new Redis(redisUrl!) as Redis & { budgetPrefix?: string };
      client.budgetPrefix = prefix;
      clients.push(client);
      return new RedisBudgetCounters(client, redisKeys(prefix));
    },
  },
];

const now = Date.UTC(2026, 10, 27, 12);
const dayStart = Date.UTC(2026, 10, 27);

function target(budgetId: string, limitMicros: number, hard = true): CounterTarget {
  return {
    budgetId,
    budgetStamp: 1,
    scope: 'global',
    scopeId: null,
    periodStart: dayStart,
    expiresAt: Date.UTC(2026, 10, 30),
    limitMicros,
    hard,
  };
}

function reserveRequest(reservationId: string, targets: CounterTarget[], amountMicros: number, at = now) {
  return { reservationId, targets, amountMicros, now: at, holdUntil: at + 60_000 };
}

for (const store of stores) {
  describe.skipIf(!store.available)(`budget counters: ${store.name}`, () => {
    it('asks for a seed first, then reserves on top of the seeded spending', async () => {
      const counters = store.create();
      const budget = target('seeded', 1_000);
      expect(await counters.reserve(reserveRequest('r1', [budget], 100))).toEqual({
        status: 'unseeded',
        unseededIndexes: [0],
      });
      await counters.seed(budget, 850, now);
      await counters.seed(budget, 0, now); // a second seed (another instance) changes nothing
      expect(await counters.reserve(reserveRequest('r1', [budget], 100))).toEqual({
        status: 'reserved',
        readings: [{ spentMicros: 850, reservedMicros: 100 }],
      });
      expect(await counters.reserve(reserveRequest('r2', [budget], 100))).toEqual({
        status: 'refused',
        refusedIndex: 0,
        readings: [{ spentMicros: 850, reservedMicros: 100 }],
      });
    });

    it('checks and holds every budget at once: one refusal holds nothing anywhere', async () => {
      const counters = store.create();
      const roomy = target('roomy', 10_000);
      const tight = target('tight', 150);
      const soft = target('soft', 10, false);
      for (const budget of [roomy, tight, soft]) await counters.seed(budget, 0, now);
      const first = await counters.reserve(reserveRequest('a', [roomy, tight, soft], 100));
      expect(first).toMatchObject({ status: 'reserved' });
      const second = await counters.reserve(reserveRequest('b', [roomy, tight, soft], 100));
      expect(second).toMatchObject({ status: 'refused', refusedIndex: 1 });
      expect(await counters.read([roomy, tight, soft], now)).toEqual([
        { spentMicros: 0, reservedMicros: 100 },
        { spentMicros: 0, reservedMicros: 100 },
        // A soft budget counts past its limit without refusing.
        { spentMicros: 0, reservedMicros: 100 },
      ]);
    });

    it('reserves and settles idempotently by reservation id', async () => {
      const counters = store.create();
      const budget = target('idempotent', 1_000);
      await counters.seed(budget, 0, now);
      await counters.reserve(reserveRequest('same', [budget], 300));
      await counters.reserve(reserveRequest('same', [budget], 300));
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 0, reservedMicros: 300 }]);
      const settle = { reservationId: 'same', targets: [budget], chargeMicros: 120, settledAt: now + 5 };
      await counters.settle(settle);
      await counters.settle(settle);
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 120, reservedMicros: 0 }]);
      // A release (charge 0) after the settle changes nothing either.
      await counters.settle({ ...settle, chargeMicros: 0 });
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 120, reservedMicros: 0 }]);
    });

    it('drops a reservation whose holder never settled once it lapses', async () => {
      const counters = store.create();
      const budget = target('lapsing', 1_000);
      await counters.seed(budget, 0, now);
      await counters.reserve(reserveRequest('orphan', [budget], 900));
      expect(await counters.reserve(reserveRequest('blocked', [budget], 200))).toMatchObject({
        status: 'refused',
      });
      const later = now + 120_000;
      expect(await counters.reserve(reserveRequest('after', [budget], 200, later))).toEqual({
        status: 'reserved',
        readings: [{ spentMicros: 0, reservedMicros: 200 }],
      });
    });

    it('leaves a charge out of a counter seeded after it was made (the ledger seed already holds it)', async () => {
      const counters = store.create();
      const budget = target('reseeded', 1_000);
      await counters.seed(budget, 400, now);
      await counters.settle({
        reservationId: 'old',
        targets: [budget],
        chargeMicros: 50,
        settledAt: now - 1,
      });
      await counters.settle({
        reservationId: 'new',
        targets: [budget],
        chargeMicros: 70,
        settledAt: now + 1,
      });
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 470, reservedMicros: 0 }]);
    });

    it('on replay, charges a counter only when its seed came before the ledger received the attempt', async () => {
      const counters = store.create();
      const budget = target('replayed', 10_000);
      await counters.seed(budget, 1_000, now);
      const replay = { targets: [budget], chargeMicros: 10, settledAt: now - 60_000 };
      // Received by the ledger before the seed: the seed holds it.
      await counters.settle({ ...replay, reservationId: 'in-seed', ledgerRecordedAt: now - 1 });
      // Received after the seed, or not yet: the seed cannot hold it.
      await counters.settle({ ...replay, reservationId: 'after-seed', ledgerRecordedAt: now + 1 });
      await counters.settle({ ...replay, reservationId: 'not-yet', ledgerRecordedAt: null });
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 1_020, reservedMicros: 0 }]);
    });

    it('always charges a counter that holds the reservation, even one seeded in the same millisecond', async () => {
      const counters = store.create();
      const budget = target('same-instant', 1_000);
      await counters.seed(budget, 0, now);
      await counters.reserve(reserveRequest('quick', [budget], 300));
      await counters.settle({ reservationId: 'quick', targets: [budget], chargeMicros: 80, settledAt: now });
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 80, reservedMicros: 0 }]);
    });

    it('never lets concurrent reservations past a hard limit', async () => {
      const counters = store.create();
      const budget = target('contended', 1_000);
      await counters.seed(budget, 0, now);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, index) => counters.reserve(reserveRequest(`c${index}`, [budget], 7))),
      );
      const reserved = outcomes.filter((outcome) => outcome.status === 'reserved').length;
      expect(reserved).toBe(Math.floor(1_000 / 7));
      expect(await counters.read([budget], now)).toEqual([{ spentMicros: 0, reservedMicros: reserved * 7 }]);
    });

    it('gives a budget created again under the same id its own counter, and drops a deleted one', async () => {
      const counters = store.create();
      const deleted = target('player-42-day', 1_000);
      await counters.seed(deleted, 0, now);
      await counters.reserve(reserveRequest('spent-before-delete', [deleted], 72));
      await counters.settle({
        reservationId: 'spent-before-delete',
        targets: [deleted],
        chargeMicros: 72,
        settledAt: now + 1,
      });
      const recreated = { ...deleted, budgetStamp: deleted.budgetStamp + 1 };
      expect(await counters.read([recreated], now)).toEqual([undefined]);
      await counters.drop([deleted]);
      expect(await counters.read([deleted], now)).toEqual([undefined]);
    });

    it('handles amounts beyond what Lua prints exactly (1e15 micro-dollars)', async () => {
      const counters = store.create();
      const budget = target('large', 3_000_000_000_000_000);
      await counters.seed(budget, 1_000_000_000_000_000, now);
      await counters.reserve(reserveRequest('big', [budget], 1_000_000_000_000_000));
      await counters.settle({
        reservationId: 'big',
        targets: [budget],
        chargeMicros: 999_999_999_999_999,
        settledAt: now + 1,
      });
      expect(await counters.read([budget], now)).toEqual([
        { spentMicros: 1_999_999_999_999_999, reservedMicros: 0 },
      ]);
    });
  });
}
