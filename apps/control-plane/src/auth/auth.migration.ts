import { sql, type Kysely } from 'kysely';

/**
 * The `api_keys` table: one row per key, holding its SHA-256 hash and never the key itself. Append
 * it to the migration list as `'0002_api_keys': apiKeysMigration`.
 */
export const apiKeysMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await database.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('scope', 'text', (column) => column.notNull().check(sql`scope in ('admin', 'service')`))
      .addColumn('prefix', 'text', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull().unique())
      .addColumn('rate_limit_per_minute', 'integer')
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('revoked_at', 'timestamptz')
      .execute();
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await database.schema.dropTable('api_keys').execute();
  },
};
