import { sql, type Kysely } from 'kysely';

/**
 * `ledger_rollup_deltas`: what each ingest statement adds to `ledger_hourly_rollup`, appended rather
 * than upserted. Upserting the rollup in the ingest statement made every batch lock the same few
 * rows (same hour, model, task, tenant) until its commit had been flushed to disk, so concurrent
 * batches waited on each other; an insert-only table takes no row locks that another batch wants.
 * `LedgerRepository.foldRollup` moves the deltas into the rollup (delete and upsert in one
 * statement), and analytics reads the rollup together with the deltas not folded yet, so no figure
 * is ever missing or counted twice. No key and no index: nothing looks a delta up, and the table
 * stays small (it is emptied every second).
 */
export const ledgerRollupDeltasMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await sql`
      create table ledger_rollup_deltas (
        hour timestamptz not null,
        model_id text not null,
        provider text not null,
        task_type text not null,
        tenant_key text not null,
        attempts bigint not null,
        requests bigint not null,
        cost_micros bigint not null,
        unknown_cost_attempts bigint not null,
        input_tokens bigint not null,
        output_tokens bigint not null
      )`.execute(database);
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await database.schema.dropTable('ledger_rollup_deltas').execute();
  },
};
