import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseTargets, type TestDatabase } from '../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../database/open-database.ts';
import { billedAttempt, telemetryEvent } from './__fixtures__/telemetry-events.ts';
import { AnalyticsRepository, type CostSums } from './analytics.repository.ts';
import { LedgerRollupFolder } from './ledger-rollup-folder.ts';
import { ledgerRowsOf } from './ledger-rows.ts';
import { LedgerRepository } from './ledger.repository.ts';

const hourMs = 3_600_000;
const models = ['sim/fast-small', 'sim/large', 'sim/reasoning'];
const tenants = ['tenant-a', 'tenant-b', null];

/** An instance's view of one database: its connection pool (PGlite: its handle) and repositories. */
interface Instance {
  opened: OpenedDatabase;
  database: Kysely<unknown>;
  ledger: LedgerRepository;
  analytics: AnalyticsRepository;
  folder: LedgerRollupFolder;
}

async function openInstance(testDatabase: TestDatabase): Promise<Instance> {
  const opened = await openDatabase(testDatabase.settings);
  // The app injects the same instance; the repositories read no table types.
  const database = opened.database as unknown as Kysely<unknown>;
  const ledger = new LedgerRepository(database);
  return {
    opened,
    database,
    ledger,
    analytics: new AnalyticsRepository(database),
    folder: new LedgerRollupFolder(ledger, { intervalMs: 0 }),
  };
}

/** A batch of `size` new events across three models and tenants, each with a failed and a billed attempt. */
function batch(size: number, seed: number) {
  return Array.from({ length: size }, (_, index) => {
    const model = models[(seed + index) % models.length]!;
    return telemetryEvent({
      tenantId: tenants[Math.floor((seed + index) / models.length) % tenants.length]!,
      attempts: [
        billedAttempt({
          modelId: model,
          outcome: 'failed',
          errorKind: 'server',
          status: 503,
          billed: false,
          usage: { ...billedAttempt().usage, inputTokens: null, outputTokens: null },
        }),
        billedAttempt({ modelId: model, cost: { status: 'known', micros: 1 + ((seed * 31 + index) % 97) } }),
        ...(index % 5 === 0
          ? [billedAttempt({ modelId: model, cost: { status: 'unknown', reason: 'no-price' } })]
          : []),
      ],
    });
  });
}

async function insert(instance: Instance, events: ReturnType<typeof batch>): Promise<void> {
  const rows = ledgerRowsOf(events.map((event) => ({ event, source: 'sdk', apiKeyId: null })));
  await instance.ledger.insertBatch(rows);
}

/** The cost report's query over the current hour and the next, grouped by model and tenant. */
function wholeHoursQuery() {
  const hour = Math.floor(Date.now() / hourMs) * hourMs;
  return {
    from: new Date(hour - hourMs),
    to: new Date(hour + 2 * hourMs),
    groupBy: ['model', 'tenant'] as ('model' | 'tenant')[],
  };
}

/** What the rollup must say: the same query answered from `ledger_entries` (any instant: not the rollup). */
async function fromLedger(instance: Instance): Promise<CostSums[]> {
  const query = wholeHoursQuery();
  return instance.analytics.costByGroup({ ...query, from: new Date(query.from.getTime() + 1) });
}

async function tableSums(database: Kysely<unknown>, table: 'ledger_hourly_rollup' | 'ledger_rollup_deltas') {
  const { rows } = await sql<{ rows: string | number; attempts: string | number | null; cost: unknown }>`
    select count(*) as rows, sum(attempts) as attempts, sum(cost_micros) as cost
    from ${sql.table(table)}`.execute(database);
  return {
    rows: Number(rows[0]!.rows),
    attempts: Number(rows[0]!.attempts ?? 0),
    cost: Number(rows[0]!.cost ?? 0),
  };
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`the hourly rollup's deltas and fold on ${target.name}`, () => {
    let testDatabase: TestDatabase | undefined;
    const instances: Instance[] = [];

    async function start(): Promise<Instance> {
      testDatabase ??= await target.create();
      const instance = await openInstance(testDatabase);
      instances.push(instance);
      return instance;
    }

    afterEach(async () => {
      for (const instance of instances.splice(0)) await instance.opened.database.destroy();
      await testDatabase?.dispose();
      testDatabase = undefined;
    });

    it('reads the same figures before and after a fold, and folds each delta exactly once', async () => {
      const instance = await start();
      expect(AnalyticsRepository.usesRollup(wholeHoursQuery())).toBe(true);
      const first = batch(60, 1);
      await insert(instance, first);
      await insert(instance, batch(40, 2));
      // A replayed batch stores nothing, so it adds no delta either.
      await insert(instance, first);
      const expected = await fromLedger(instance);
      expect(expected.length).toBeGreaterThan(3);
      const attempts = 60 * 2 + 12 + 40 * 2 + 8;

      // Nothing folded yet: the rollup is empty, analytics answers from the deltas.
      expect(await tableSums(instance.database, 'ledger_hourly_rollup')).toMatchObject({ rows: 0 });
      expect(await instance.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);

      expect(await instance.folder.fold()).toBeGreaterThan(0);
      expect(await tableSums(instance.database, 'ledger_rollup_deltas')).toMatchObject({ rows: 0 });
      expect(await tableSums(instance.database, 'ledger_hourly_rollup')).toMatchObject({ attempts });
      expect(await instance.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);

      // A second fold has nothing to move and changes nothing.
      expect(await instance.folder.fold()).toBe(0);
      expect(await instance.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);

      // New deltas on top of folded rows: both are read, then folded into the same rows.
      await insert(instance, batch(30, 3));
      const grown = await fromLedger(instance);
      expect(await instance.analytics.costByGroup(wholeHoursQuery())).toEqual(grown);
      const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
      const knownCost = grown.reduce((sum, row) => sum + row.costMicros, 0);
      expect(await instance.analytics.costSince(monthStart)).toBe(knownCost);
      await instance.folder.fold();
      expect(await instance.analytics.costByGroup(wholeHoursQuery())).toEqual(grown);
      expect(await instance.analytics.costSince(monthStart)).toBe(knownCost);
      expect(await tableSums(instance.database, 'ledger_hourly_rollup')).toMatchObject({
        rows: grown.length,
        attempts: attempts + 30 * 2 + 6,
      });
    });

    it('loses and doubles nothing when folds run while batches are written, from several instances', async () => {
      // PostgreSQL: two instances (two pools) on one schema, so folds and inserts truly overlap.
      // PGlite has one handle per directory; its statements interleave on it.
      const instanceCount = target.name === 'PostgreSQL' ? 2 : 1;
      const running: Instance[] = [];
      for (let index = 0; index < instanceCount; index += 1) running.push(await start());
      const work: Promise<unknown>[] = [];
      for (let round = 0; round < 12; round += 1) {
        for (const [index, instance] of running.entries()) {
          work.push(insert(instance, batch(25, round * 10 + index)));
          work.push(instance.folder.fold());
          // Folds straight from the repository as well: these do not wait for the instance's own fold.
          work.push(instance.ledger.foldRollup());
        }
      }
      await Promise.all(work);
      const expected = await fromLedger(running[0]!);
      expect(await running[0]!.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);
      await Promise.all(running.map((instance) => instance.folder.fold()));
      const database = running[0]!.database;
      expect(await tableSums(database, 'ledger_rollup_deltas')).toMatchObject({ rows: 0 });
      // One row per group: the folds never inserted a key twice.
      expect(await tableSums(database, 'ledger_hourly_rollup')).toMatchObject({
        rows: expected.length,
        attempts: expected.reduce((sum, row) => sum + row.attempts, 0),
        cost: expected.reduce((sum, row) => sum + row.costMicros, 0),
      });
      expect(await running[0]!.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);
    });

    it('keeps acknowledged batches whose deltas were never folded when the instance goes away', async () => {
      const first = await start();
      await insert(first, batch(50, 4));
      await insert(first, batch(50, 5));
      const expected = await fromLedger(first);
      // The instance ends without folding (a crash: its timer never ran, its shutdown hook neither).
      await first.opened.database.destroy();
      instances.splice(instances.indexOf(first), 1);

      const restarted = await start();
      expect(await tableSums(restarted.database, 'ledger_rollup_deltas')).toMatchObject({
        attempts: 100 * 2 + 20,
      });
      expect(await restarted.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);
      await restarted.folder.fold();
      expect(await restarted.analytics.costByGroup(wholeHoursQuery())).toEqual(expected);
      expect(await tableSums(restarted.database, 'ledger_hourly_rollup')).toMatchObject({
        attempts: 100 * 2 + 20,
      });
    });

    it('folds what is left when the application shuts down', async () => {
      const instance = await start();
      await insert(instance, batch(20, 6));
      await instance.folder.beforeApplicationShutdown();
      expect(await tableSums(instance.database, 'ledger_rollup_deltas')).toMatchObject({ rows: 0 });
      expect(await tableSums(instance.database, 'ledger_hourly_rollup')).toMatchObject({
        attempts: 20 * 2 + 4,
      });
    });
  });
}
