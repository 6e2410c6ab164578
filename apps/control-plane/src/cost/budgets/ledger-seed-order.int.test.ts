import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets, type TestDatabase } from '../../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../../database/open-database.ts';
import { billedAttempt, telemetryEvent } from '../__fixtures__/telemetry-events.ts';
import { ledgerRowsOf } from '../ledger-rows.ts';
import { LedgerRepository } from '../ledger.repository.ts';
import { BudgetLedgerRepository, reportedAttemptKey } from './budget-ledger.repository.ts';

/** Only PostgreSQL runs a ledger write and a seed at the same time (PGlite has one connection). */
const target = testDatabaseTargets().find((candidate) => candidate.name === 'PostgreSQL')!;

function batchFor(playerId: string, micros: number) {
  const event = telemetryEvent({
    playerId,
    attempts: [billedAttempt({ cost: { status: 'known', micros } })],
  });
  return { event, rows: ledgerRowsOf([{ event, source: 'sdk', apiKeyId: null }]) };
}

describe.skipIf(!target.available)('a budget seed and a ledger write in flight (PostgreSQL)', () => {
  let testDatabase: TestDatabase;
  let opened: OpenedDatabase;
  let database: Kysely<unknown>;
  let budgetLedger: BudgetLedgerRepository;

  beforeAll(async () => {
    testDatabase = await target.create();
    opened = await openDatabase(testDatabase.settings);
    database = opened.database as unknown as Kysely<unknown>;
    budgetLedger = new BudgetLedgerRepository(database);
  });
  afterAll(async () => {
    await opened?.database.destroy();
    await testDatabase?.dispose();
  });

  it('waits for the write, holds it in its sum, and stamps itself after it', async () => {
    const player = `player-${Date.now()}`;
    const { event, rows } = batchFor(player, 700);
    let commit!: () => void;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => {
      written = resolve;
    });
    // A ledger write that has stamped its rows but not committed yet.
    const writing = database.transaction().execute(async (transaction) => {
      await new LedgerRepository(transaction).insertBatch(rows);
      written();
      await held;
    });
    await inserted;

    let seedDone = false;
    const seeding = budgetLedger.spentSince('player', player, 0, Date.now()).then((seed) => {
      seedDone = true;
      return seed;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Without the lock the seed would have summed 0 already, stamped after the write's stamp.
    expect(seedDone).toBe(false);

    commit();
    await writing;
    const seed = await seeding;
    expect(seed.spentMicros).toBe(700);
    const received = await budgetLedger.receivedAtOfEvents([event.eventId]);
    expect(received?.get(reportedAttemptKey(event.eventId, 0))).toBeLessThan(seed.seededAt);
  });

  it('stamps a write that follows the seed after the seed, and leaves it out of the sum', async () => {
    const player = `player-${Date.now()}-later`;
    const seed = await budgetLedger.spentSince('player', player, 0, Date.now());
    const { event, rows } = batchFor(player, 300);
    await new LedgerRepository(database).insertBatch(rows);
    expect(seed.spentMicros).toBe(0);
    const received = await budgetLedger.receivedAtOfEvents([event.eventId]);
    expect(received?.get(reportedAttemptKey(event.eventId, 0))).toBeGreaterThan(seed.seededAt);
  });
});
