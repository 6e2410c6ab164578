import { sql, type Kysely } from 'kysely';

/** The registry: its three collections, every accepted version, and the version counter. */
export const registryMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    for (const table of ['providers', 'models', 'policies']) {
      await database.schema
        .createTable(table)
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('spec', 'jsonb', (column) => column.notNull())
        .addColumn('enabled', 'boolean', (column) => column.notNull().defaultTo(true))
        .addColumn('position', 'serial', (column) => column.notNull())
        .addColumn('created_at', 'timestamptz', (column) => column.notNull())
        .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
        .execute();
    }
    await database.schema
      .createTable('registry_snapshots')
      .addColumn('version', 'integer', (column) => column.primaryKey())
      .addColumn('hash', 'text', (column) => column.notNull())
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('content', 'jsonb', (column) => column.notNull())
      .execute();
    await database.schema
      .createTable('registry_state')
      .addColumn('id', 'integer', (column) => column.primaryKey().check(sql`id = 1`))
      .addColumn('version', 'integer', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
      .execute();
    await sql`insert into registry_state (id, version, hash, updated_at) values (1, 0, '', now())`.execute(
      database,
    );
  },

  async down(database: Kysely<unknown>): Promise<void> {
    for (const table of ['registry_state', 'registry_snapshots', 'policies', 'models', 'providers']) {
      await database.schema.dropTable(table).execute();
    }
  },
};
