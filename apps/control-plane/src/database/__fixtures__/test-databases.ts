import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseSettings } from '../open-database.ts';

/** A fresh, isolated database for one test file: its settings and how to throw it away. */
export interface TestDatabase {
  settings: DatabaseSettings;
  dispose(): Promise<void>;
}

/** One engine the storage tests run against, kysely-style: the same suite in a loop over every engine. */
export interface TestDatabaseTarget {
  name: 'PGlite' | 'PostgreSQL';
  /** `false` when the engine is not reachable here; the suite is then skipped with a warning. */
  available: boolean;
  /** A new database: an empty temporary directory, or a new schema `sb_test_<random>`. */
  create(): Promise<TestDatabase>;
}

const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;

/** The engines to test: PGlite always, PostgreSQL when `DATABASE_URL` is set (CI always sets it). */
export function testDatabaseTargets(): TestDatabaseTarget[] {
  if (databaseUrl === undefined) {
    console.warn('DATABASE_URL is not set: the PostgreSQL storage tests are skipped (CI sets it).');
  }
  return [
    {
      name: 'PGlite',
      available: true,
      async create() {
        const dataDir = await mkdtemp(path.join(tmpdir(), 'switchboard-pglite-'));
        return {
          settings: { dataDir },
          dispose: () => rm(dataDir, { recursive: true, force: true }),
        };
      },
    },
    {
      name: 'PostgreSQL',
      available: databaseUrl !== undefined,
      async create() {
        const url = databaseUrl!;
        const schema = `sb_test_${randomBytes(6).toString('hex')}`;
        return {
          settings: { dataDir: '(unused)', databaseUrl: url, databaseSchema: schema },
          async dispose() {
            const client = new pg.Client({ connectionString: url });
            await client.connect();
            try {
              await client.query(`drop schema if exists "${schema}" cascade`);
            } finally {
              await client.end();
            }
          },
        };
      },
    },
  ];
}
