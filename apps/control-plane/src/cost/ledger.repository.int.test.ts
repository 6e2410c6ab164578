import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets, type TestDatabase } from '../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../database/open-database.ts';
import { billedAttempt, telemetryEvent } from './__fixtures__/telemetry-events.ts';
import { ledgerRowsOf } from './ledger-rows.ts';
import { arrayElement, LedgerRepository } from './ledger.repository.ts';

/** Text that an array literal must quote or escape, or that looks like something else. */
const awkward = ['NULL', 'null', 'a,b', '{braces}', 'say "hi"', 'back\\slash\\', ' padded ', 'ünïcødé ✓', ''];

describe('arrayElement', () => {
  it('quotes every string, escapes quotes and backslashes, and writes NULL, numbers and booleans bare', () => {
    expect(['x', 'NULL', 'a"b', 'a\\b', null, 0, 42, true, false].map(arrayElement)).toEqual([
      '"x"',
      '"NULL"',
      '"a\\"b"',
      '"a\\\\b"',
      'NULL',
      '0',
      '42',
      't',
      'f',
    ]);
  });

  it('refuses a fractional number rather than store something else', () => {
    expect(() => arrayElement(1.5)).toThrow(/not a whole number/);
  });
});

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`LedgerRepository on ${target.name}`, () => {
    let testDatabase: TestDatabase;
    let opened: OpenedDatabase;
    let repository: LedgerRepository;

    beforeAll(async () => {
      testDatabase = await target.create();
      opened = await openDatabase(testDatabase.settings);
      // The app injects the same instance; the repository reads no table types.
      repository = new LedgerRepository(opened.database as unknown as Kysely<unknown>);
    });
    afterAll(async () => {
      await opened?.database.destroy();
      await testDatabase?.dispose();
    });

    it('stores awkward text exactly, nulls as null, and a replay adds nothing', async () => {
      const events = awkward.map((text, index) =>
        telemetryEvent({
          eventId: `event-${index}-${text}`,
          policyName: text === '' ? 'empty' : text,
          playerId: index % 2 === 0 ? null : text || 'x',
          tenantId: null,
          attempts: [
            billedAttempt({ priceVersion: text, modelId: `model ${text}` }),
            billedAttempt({ priceVersion: null, cost: { status: 'unknown', reason: 'no-price' } }),
          ],
        }),
      );
      const rows = ledgerRowsOf(events.map((event) => ({ event, source: 'sdk', apiKeyId: null })));
      const stored = await repository.insertBatch(rows);
      expect([...stored].sort()).toEqual(events.map((event) => event.eventId).sort());
      expect(await repository.insertBatch(rows)).toEqual(new Set());

      const { rows: entries } = await sql<{
        event_id: string;
        attempt_index: number;
        policy_name: string;
        player_id: string | null;
        model_id: string;
        price_version: string | null;
        cost_micros: string | number | null;
      }>`select event_id, attempt_index, policy_name, player_id, model_id, price_version, cost_micros
         from ledger_entries order by event_id, attempt_index`.execute(opened.database);
      const expected = events
        .flatMap((event) =>
          event.attempts.map((attempt, index) => ({
            event_id: event.eventId,
            attempt_index: index,
            policy_name: event.policyName,
            player_id: event.playerId,
            model_id: attempt.modelId,
            price_version: attempt.priceVersion,
            cost_micros: attempt.cost.status === 'known' ? 70 : null,
          })),
        )
        .sort((left, right) =>
          left.event_id === right.event_id
            ? left.attempt_index - right.attempt_index
            : left.event_id < right.event_id
              ? -1
              : 1,
        );
      expect(
        entries.map((entry) => ({
          ...entry,
          cost_micros: entry.cost_micros === null ? null : Number(entry.cost_micros),
        })),
      ).toEqual(expected);

      // The batch's sums wait as deltas (the replay added none) until a fold moves them.
      const rollupAttempts = async (table: 'ledger_hourly_rollup' | 'ledger_rollup_deltas') => {
        const { rows } = await sql<{ attempts: string | number | null }>`
          select sum(attempts) as attempts from ${sql.table(table)}`.execute(opened.database);
        return Number(rows[0]?.attempts ?? 0);
      };
      expect(await rollupAttempts('ledger_rollup_deltas')).toBe(events.length * 2);
      expect(await rollupAttempts('ledger_hourly_rollup')).toBe(0);
      expect(await repository.foldRollup()).toBeGreaterThan(0);
      expect(await rollupAttempts('ledger_hourly_rollup')).toBe(events.length * 2);
      expect(await rollupAttempts('ledger_rollup_deltas')).toBe(0);
    });
  });
}
