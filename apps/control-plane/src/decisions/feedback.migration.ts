import { sql, type Kysely } from 'kysely';

/**
 * The `feedback` table: one row per score a game sent about a decision, with what the score is
 * about (model, task, risk, policy) copied from the decision, so the optimiser can learn per
 * (model, task) without the decisions themselves being stored. Listed in the migration list as
 * `'0003_feedback': feedbackMigration`.
 */
export const feedbackMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await database.schema
      .createTable('feedback')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('decision_id', 'text', (column) => column.notNull())
      .addColumn('model_id', 'text')
      .addColumn('task_type', 'text', (column) => column.notNull())
      .addColumn('risk_level', 'text', (column) => column.notNull())
      .addColumn('policy_name', 'text', (column) => column.notNull())
      .addColumn('snapshot_version', 'integer', (column) => column.notNull())
      .addColumn('source', 'text', (column) => column.notNull().check(sql`source in ('select', 'gateway')`))
      .addColumn('score', 'double precision', (column) =>
        column.notNull().check(sql`score >= 0 and score <= 1`),
      )
      .addColumn('signal', 'text')
      .addColumn('api_key_id', 'text')
      .addColumn('received_at', 'timestamptz', (column) => column.notNull())
      .execute();
    await database.schema
      .createIndex('feedback_model_task')
      .on('feedback')
      .columns(['model_id', 'task_type', 'received_at'])
      .execute();
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await database.schema.dropTable('feedback').execute();
  },
};
