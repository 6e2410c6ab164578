import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type OpenedDatabase } from '../../database/open-database.ts';
import { apiKeysMigration } from '../auth.migration.ts';

/** PostgreSQL for the tests, when the machine has one (CI always sets it). */
export const postgresUrl = process.env.DATABASE_URL;

if (postgresUrl === undefined || postgresUrl === '') {
  console.warn('DATABASE_URL is not set: the PostgreSQL runs of the auth and health tests are skipped.');
}

/** The engines every storage test runs against; PostgreSQL only when DATABASE_URL is set. */
export const testEngines: readonly { engine: 'pglite' | 'postgres'; available: boolean }[] = [
  { engine: 'pglite', available: true },
  { engine: 'postgres', available: postgresUrl !== undefined && postgresUrl !== '' },
];

/**
 * A place for one test file's data that can be opened several times (to test restarts) and is
 * removed at the end: a temporary PGlite directory, or a unique PostgreSQL schema.
 */
export interface TestDatabaseLocation {
  /** Opens (and migrates, the api-key table included) the database at this location. */
  open(): Promise<OpenedDatabase>;
  /** Deletes everything this location holds. Call after the last opened database was closed. */
  remove(): Promise<void>;
}

/** A fresh, isolated location on `engine`. */
export async function createTestDatabaseLocation(
  engine: 'pglite' | 'postgres',
): Promise<TestDatabaseLocation> {
  if (engine === 'pglite') {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-auth-test-'));
    return {
      open: () => openMigrated({ dataDir }),
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const databaseUrl = postgresUrl!;
  const databaseSchema = `sb_test_${randomBytes(6).toString('hex')}`;
  return {
    open: () => openMigrated({ dataDir: './.data', databaseUrl, databaseSchema }),
    remove: async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${databaseSchema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Opens a database with the skeleton's migrations, then this module's own one (which the lead adds
 * to the migration list; until then the tests apply it themselves, once).
 */
async function openMigrated(settings: {
  dataDir: string;
  databaseUrl?: string;
  databaseSchema?: string;
}): Promise<OpenedDatabase> {
  const opened = await openDatabase(settings);
  const exists = await sql<{
    present: string | null;
  }>`select to_regclass('api_keys')::text as present`.execute(opened.database);
  if (exists.rows[0]?.present === null || exists.rows[0]?.present === undefined) {
    await apiKeysMigration.up(opened.database as unknown as Kysely<unknown>);
  }
  return opened;
}
