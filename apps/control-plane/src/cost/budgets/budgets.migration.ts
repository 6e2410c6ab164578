import { sql, type Kysely } from 'kysely';

/**
 * The `budgets` table: one row per budget definition. What was spent lives elsewhere (the Redis
 * counters, or this process's counters without Redis; the ledger for the audit trail), so a
 * definition can change its limit or mode without touching any spending. Listed in the migration
 * list as `'0005_budgets': budgetsMigration`.
 */
export const budgetsMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await database.schema
      .createTable('budgets')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('scope', 'text', (column) =>
        column.notNull().check(sql`scope in ('player', 'session', 'tenant', 'global')`),
      )
      .addColumn('scope_id', 'text')
      .addColumn('period', 'text', (column) =>
        column.notNull().check(sql`period in ('day', 'month', 'lifetime')`),
      )
      .addColumn('limit_micros', 'bigint', (column) => column.notNull().check(sql`limit_micros > 0`))
      .addColumn('mode', 'text', (column) => column.notNull().check(sql`mode in ('hard', 'soft')`))
      .addColumn('alert_threshold', 'double precision', (column) =>
        column.notNull().check(sql`alert_threshold > 0 and alert_threshold <= 1`),
      )
      .addColumn('created_at', 'timestamptz', (column) => column.notNull())
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull())
      .addCheckConstraint('budgets_scope_id', sql`(scope = 'global') = (scope_id is null)`)
      .execute();
    await database.schema.createIndex('budgets_scope').on('budgets').columns(['scope', 'scope_id']).execute();
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await database.schema.dropTable('budgets').execute();
  },
};
