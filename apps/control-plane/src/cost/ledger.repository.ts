import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import type { LedgerBatchRows } from './ledger-rows.ts';

/** Deadlock and serialisation failure: two batches touching the same rollup rows; safe to run again. */
const retryableCodes = new Set(['40P01', '40001']);
const maxStatementTries = 3;

/**
 * All of the ledger's write SQL. A batch is ONE statement, hence one transaction: the events go
 * into `telemetry_events` (`on conflict do nothing`: a replayed id adds nothing), the attempts of
 * the events that were new into `ledger_entries`, and their sums into `ledger_hourly_rollup`
 * (grouped, ordered, upserted), all fed from two JSON parameters, so a batch of 100 events is one
 * round trip to the database whatever its size. A crash at any point leaves the batch wholly
 * stored or wholly absent, and the sender's retry fills the gap exactly once.
 */
@Injectable()
export class LedgerRepository {
  private readonly database: Kysely<unknown>;

  constructor(@Inject(DATABASE) database: Kysely<unknown>) {
    this.database = database;
  }

  /** Stores a batch; returns the ids of the events that were new (the rest were already stored). */
  async insertBatch(rows: LedgerBatchRows, receivedAt: string): Promise<Set<string>> {
    if (rows.events.length === 0) return new Set();
    const events = JSON.stringify(rows.events);
    const attempts = JSON.stringify(rows.attempts);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.ingestStatement(events, attempts, receivedAt).execute(this.database);
        return new Set(result.rows.map((row) => row.event_id));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= maxStatementTries || typeof code !== 'string' || !retryableCodes.has(code))
          throw error;
      }
    }
  }

  private ingestStatement(events: string, attempts: string, receivedAt: string) {
    return sql<{ event_id: string }>`
      with incoming_events as (
        select * from jsonb_to_recordset(${events}::jsonb) as event (
          event_id text, schema_version integer, source text, occurred_at timestamptz, decision_id text,
          policy_name text, snapshot_version integer, task_type text, risk_level text, player_id text,
          session_id text, tenant_id text, answered_by text, outcome text, fallback boolean,
          total_latency_ms integer, attempt_count integer, api_key_id text
        )
      ),
      new_events as (
        insert into telemetry_events (
          event_id, schema_version, source, occurred_at, received_at, decision_id, policy_name,
          snapshot_version, task_type, risk_level, player_id, session_id, tenant_id, answered_by, outcome,
          fallback, total_latency_ms, attempt_count, api_key_id
        )
        select
          event_id, schema_version, source, occurred_at, ${receivedAt}::timestamptz, decision_id, policy_name,
          snapshot_version, task_type, risk_level, player_id, session_id, tenant_id, answered_by, outcome,
          fallback, total_latency_ms, attempt_count, api_key_id
        from incoming_events
        order by event_id
        on conflict (event_id) do nothing
        returning event_id
      ),
      incoming_attempts as (
        select * from jsonb_to_recordset(${attempts}::jsonb) as attempt (
          event_id text, attempt_index integer, model_id text, provider text, outcome text, error_kind text,
          http_status integer, billed boolean, bill_reason text, cost_status text, cost_micros bigint,
          unknown_cost_reason text, price_version text, input_tokens bigint, output_tokens bigint,
          cache_read_tokens bigint, cache_write_tokens bigint, reasoning_tokens bigint,
          started_after_ms integer, time_to_first_token_ms integer, duration_ms integer, hedge boolean
        )
      ),
      new_entries as (
        insert into ledger_entries (
          event_id, attempt_index, occurred_at, received_at, decision_id, policy_name, model_id, provider,
          task_type, risk_level, player_id, session_id, tenant_id, outcome, error_kind, http_status, billed,
          bill_reason, cost_status, cost_micros, unknown_cost_reason, price_version, input_tokens,
          output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, started_after_ms,
          time_to_first_token_ms, duration_ms, hedge, source
        )
        select
          attempt.event_id, attempt.attempt_index, event.occurred_at, ${receivedAt}::timestamptz,
          event.decision_id, event.policy_name, attempt.model_id, attempt.provider, event.task_type,
          event.risk_level, event.player_id, event.session_id, event.tenant_id, attempt.outcome,
          attempt.error_kind, attempt.http_status, attempt.billed, attempt.bill_reason, attempt.cost_status,
          attempt.cost_micros, attempt.unknown_cost_reason, attempt.price_version, attempt.input_tokens,
          attempt.output_tokens, attempt.cache_read_tokens, attempt.cache_write_tokens,
          attempt.reasoning_tokens, attempt.started_after_ms, attempt.time_to_first_token_ms,
          attempt.duration_ms, attempt.hedge, event.source
        from incoming_attempts attempt
        join incoming_events event on event.event_id = attempt.event_id
        join new_events on new_events.event_id = attempt.event_id
        on conflict (event_id, attempt_index) do nothing
        returning event_id, occurred_at, model_id, provider, task_type, tenant_id, cost_status, cost_micros,
          input_tokens, output_tokens
      ),
      rolled_up as (
        insert into ledger_hourly_rollup as rollup (
          hour, model_id, provider, task_type, tenant_key, attempts, requests, cost_micros,
          unknown_cost_attempts, input_tokens, output_tokens
        )
        select
          date_trunc('hour', occurred_at, 'UTC'), model_id, provider, task_type, coalesce(tenant_id, ''),
          count(*), count(distinct event_id), coalesce(sum(cost_micros), 0),
          count(*) filter (where cost_status = 'unknown'), coalesce(sum(input_tokens), 0),
          coalesce(sum(output_tokens), 0)
        from new_entries
        group by 1, 2, 3, 4, 5
        order by 1, 2, 3, 4, 5
        on conflict (hour, model_id, provider, task_type, tenant_key) do update set
          attempts = rollup.attempts + excluded.attempts,
          requests = rollup.requests + excluded.requests,
          cost_micros = rollup.cost_micros + excluded.cost_micros,
          unknown_cost_attempts = rollup.unknown_cost_attempts + excluded.unknown_cost_attempts,
          input_tokens = rollup.input_tokens + excluded.input_tokens,
          output_tokens = rollup.output_tokens + excluded.output_tokens
      )
      select event_id from new_events`;
  }
}
