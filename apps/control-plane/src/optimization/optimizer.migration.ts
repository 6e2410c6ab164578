import type { Kysely } from 'kysely';

/**
 * The `optimizer_state` table: what the fleet learned from traffic and feedback (core's serialised
 * optimiser state), so a restart keeps it. One row (`id = 'fleet'`) that every instance merges its
 * new evidence into (see `OptimizerService`); a row per instance would need merging on every read.
 * Text rather than jsonb: the state is only ever read and written whole, and text keeps the exact
 * JSON core serialised. Listed in the migration list as `'0006_optimizer_state': optimizerStateMigration`.
 */
export const optimizerStateMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await database.schema
      .createTable('optimizer_state')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('saved_at', 'timestamptz', (column) => column.notNull())
      .execute();
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await database.schema.dropTable('optimizer_state').execute();
  },
};
