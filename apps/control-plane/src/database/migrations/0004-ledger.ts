import { sql, type Kysely } from 'kysely';

/**
 * The cost ledger: `telemetry_events` (one row per request, SDK or gateway, keyed by the event id so
 * a replayed batch adds nothing), `ledger_entries` (append-only, one row per attempt, billed or not
 * and why) and `ledger_hourly_rollup` (cost sums per hour, model, provider, task type and tenant,
 * kept in the same statement as the entries, so month-to-date figures and coarse cost analytics
 * never scan the ledger). Also indexes `feedback.decision_id`, which analytics joins on to compute
 * quality per dollar.
 */
export const ledgerMigration = {
  async up(database: Kysely<unknown>): Promise<void> {
    await sql`
      create table telemetry_events (
        event_id text primary key,
        schema_version integer not null,
        source text not null check (source in ('sdk', 'gateway')),
        occurred_at timestamptz not null,
        received_at timestamptz not null,
        decision_id text not null,
        policy_name text not null,
        snapshot_version integer not null,
        task_type text not null,
        risk_level text not null,
        player_id text,
        session_id text,
        tenant_id text,
        answered_by text,
        outcome text not null,
        fallback boolean not null,
        total_latency_ms integer not null,
        attempt_count integer not null,
        api_key_id text
      )`.execute(database);
    // Analytics counts requests by time. No index on decision_id: nothing looks requests up by it, and
    // every index is paid for by each ingested event.
    await sql`create index telemetry_events_occurred_at on telemetry_events (occurred_at)`.execute(database);

    await sql`
      create table ledger_entries (
        event_id text not null,
        attempt_index integer not null,
        occurred_at timestamptz not null,
        received_at timestamptz not null,
        decision_id text not null,
        policy_name text not null,
        model_id text not null,
        provider text not null,
        task_type text not null,
        risk_level text not null,
        player_id text,
        session_id text,
        tenant_id text,
        outcome text not null check (outcome in ('succeeded', 'failed', 'cancelled')),
        error_kind text,
        http_status integer,
        billed boolean not null,
        bill_reason text not null,
        cost_status text not null check (cost_status in ('known', 'unknown')),
        cost_micros bigint check ((cost_status = 'known') = (cost_micros is not null)),
        unknown_cost_reason text,
        price_version text,
        input_tokens bigint,
        output_tokens bigint,
        cache_read_tokens bigint,
        cache_write_tokens bigint,
        reasoning_tokens bigint,
        started_after_ms integer not null,
        time_to_first_token_ms integer,
        duration_ms integer not null,
        hedge boolean not null,
        source text not null check (source in ('sdk', 'gateway')),
        primary key (event_id, attempt_index)
      )`.execute(database);
    // Analytics reads the ledger by time. The scope indexes serve one query only, what a budget's
    // scope spent since its period began (`budget-ledger.repository.ts`), which counts billed attempts
    // of known cost; partial to exactly that, attempts no budget counts (unbilled failures and
    // cancellations, unknown cost) cost ingest no index entries.
    await sql`create index ledger_entries_occurred_at on ledger_entries (occurred_at)`.execute(database);
    for (const column of ['tenant_id', 'player_id', 'session_id']) {
      const name = `ledger_entries_${column.replace(/_id$/, '')}`;
      await sql`
        create index ${sql.id(name)} on ledger_entries (${sql.ref(column)}, occurred_at)
        where billed and cost_status = 'known'`.execute(database);
    }

    await sql`
      create table ledger_hourly_rollup (
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
        output_tokens bigint not null,
        primary key (hour, model_id, provider, task_type, tenant_key)
      )`.execute(database);

    await sql`create index if not exists feedback_decision on feedback (decision_id)`.execute(database);
  },

  async down(database: Kysely<unknown>): Promise<void> {
    await sql`drop index if exists feedback_decision`.execute(database);
    for (const table of ['ledger_hourly_rollup', 'ledger_entries', 'telemetry_events']) {
      await database.schema.dropTable(table).execute();
    }
  },
};
