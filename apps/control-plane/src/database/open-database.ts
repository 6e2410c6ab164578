import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { ControlPlaneConfig } from '../config/control-plane-config.ts';
import type { Database } from './database.ts';
import { migrationProvider } from './migrations/migration-list.ts';

/** Which engine holds the data; reported by health checks and start-up output. */
export type DatabaseEngine = 'pglite' | 'postgres';

/** A migrated database, ready for repositories. */
export interface OpenedDatabase {
  database: Kysely<Database>;
  engine: DatabaseEngine;
}

/** What {@link openDatabase} needs from the settings. */
export type DatabaseSettings = Pick<ControlPlaneConfig, 'dataDir' | 'databaseUrl' | 'databaseSchema'>;

/**
 * Opens the configured database (PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir`),
 * selects the schema (created when missing) and runs every pending migration. On any failure the
 * connection is closed again, so a failed start leaves no PGlite instance or pool keeping the
 * process alive, and the error says what to check.
 */
export async function openDatabase(settings: DatabaseSettings): Promise<OpenedDatabase> {
  const engine: DatabaseEngine = settings.databaseUrl === undefined ? 'pglite' : 'postgres';
  const database =
    settings.databaseUrl === undefined
      ? await openPGlite(settings.dataDir, settings.databaseSchema)
      : openPostgres(settings.databaseUrl, settings.databaseSchema);
  try {
    if (settings.databaseSchema !== undefined) await createSchema(database, settings.databaseSchema);
    await migrate(database, settings.databaseSchema);
  } catch (error) {
    await database.destroy().catch(() => undefined);
    throw describeOpenFailure(error, engine, settings);
  }
  return { database, engine };
}

async function openPGlite(dataDir: string, schema: string | undefined): Promise<Kysely<Database>> {
  const directory = path.resolve(dataDir);
  await mkdir(directory, { recursive: true });
  const client = new PGlite(directory);
  try {
    await client.waitReady;
    // One connection for the whole process, so a session setting holds for every query.
    if (schema !== undefined) {
      await client.exec(`create schema if not exists "${schema}"; set search_path to "${schema}"`);
    }
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(
      `Cannot open the embedded database in ${directory}: ${messageOf(error)}. Check that the directory ` +
        'is writable and not used by another running control plane (SWITCHBOARD_DATA_DIR).',
      { cause: error },
    );
  }
  return new Kysely<Database>({ dialect: new PGliteDialect(client) });
}

function openPostgres(databaseUrl: string, schema: string | undefined): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    // Every pooled connection starts in the schema, so queries need no prefix.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Creates the schema when missing. `if not exists` alone races when two instances start at once
 * (both see no schema, one insert fails), so creation is serialised with a transaction-scoped
 * advisory lock; the second instance then finds the first one's schema.
 */
async function createSchema(database: Kysely<Database>, schema: string): Promise<void> {
  await database.transaction().execute(async (transaction) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`switchboard-schema:${schema}`}))`.execute(transaction);
    await sql`create schema if not exists ${sql.id(schema)}`.execute(transaction);
  });
}

async function migrate(database: Kysely<Database>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db: database,
    provider: migrationProvider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  throw new Error(`migration ${failed ?? '(before any migration ran)'} failed: ${messageOf(error)}`, {
    cause: error,
  });
}

function describeOpenFailure(error: unknown, engine: DatabaseEngine, settings: DatabaseSettings): Error {
  if (engine === 'pglite') {
    return new Error(
      `The embedded database in ${settings.dataDir} could not be prepared: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const where = settings.databaseUrl === undefined ? 'PostgreSQL' : safeLocation(settings.databaseUrl);
  return new Error(
    `PostgreSQL at ${where} could not be prepared: ${messageOf(error)}. Check DATABASE_URL and that the ` +
      'server is running and accepts this user.',
    { cause: error },
  );
}

/** Host, port and database of a connection string, without the user's password. */
function safeLocation(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message =
    error.message === '' && error instanceof AggregateError ? 'connection refused' : error.message;
  return typeof code === 'string' ? `${message} (${code})` : message;
}
