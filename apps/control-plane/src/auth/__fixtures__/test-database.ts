import { sql, type Kysely } from 'kysely';
import { testDatabaseTargets, type TestDatabaseTarget } from '../../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../../database/open-database.ts';
import { apiKeysMigration } from '../auth.migration.ts';

/** The engines every storage test runs against: PGlite, and PostgreSQL when DATABASE_URL is set. */
export const testEngines: readonly TestDatabaseTarget[] = testDatabaseTargets();

/**
 * One test's isolated database (a temporary PGlite directory, or a unique PostgreSQL schema) that
 * can be opened several times, to test restarts, and is removed at the end.
 */
export interface TestDatabaseLocation {
  /** Opens and migrates the database, the `api_keys` table included. */
  open(): Promise<OpenedDatabase>;
  /** Deletes everything it holds; call after the last opened database was closed. */
  remove(): Promise<void>;
}

/** A fresh location on `target`. */
export async function createTestDatabaseLocation(target: TestDatabaseTarget): Promise<TestDatabaseLocation> {
  const database = await target.create();
  return { open: () => openMigrated(database.settings), remove: () => database.dispose() };
}

/**
 * Opens with the shared migrations and then this module's own, which the lead appends to the
 * migration list (`0002_api_keys`); until it is there, the tests apply it themselves, once.
 */
async function openMigrated(settings: Parameters<typeof openDatabase>[0]): Promise<OpenedDatabase> {
  const opened = await openDatabase(settings);
  const found = await sql<{ table: string | null }>`select to_regclass('api_keys')::text as table`.execute(
    opened.database,
  );
  if (found.rows[0]?.table == null) await apiKeysMigration.up(opened.database as unknown as Kysely<unknown>);
  return opened;
}
