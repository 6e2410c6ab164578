import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import { ledgerSeedLockKey } from './ledger-seed-lock.ts';
import type { LedgerAttemptRow, LedgerBatchRows, TelemetryEventRow } from './ledger-rows.ts';

/** Deadlock and serialisation failure (two folds meeting on the same rows); safe to run again. */
const retryableCodes = new Set(['40P01', '40001']);
const maxStatementTries = 3;

/** Runs `statement`, again (up to {@link maxStatementTries} in all) when it failed on a deadlock or serialisation conflict. */
async function retryingConflicts<Result>(statement: () => Promise<Result>): Promise<Result> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await statement();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= maxStatementTries || typeof code !== 'string' || !retryableCodes.has(code)) throw error;
    }
  }
}

/** The request-level columns the statement reads, in parameter order. */
const eventColumns = [
  'event_id',
  'schema_version',
  'source',
  'occurred_at',
  'decision_id',
  'policy_name',
  'snapshot_version',
  'task_type',
  'risk_level',
  'player_id',
  'session_id',
  'tenant_id',
  'answered_by',
  'outcome',
  'fallback',
  'total_latency_ms',
  'attempt_count',
  'api_key_id',
] as const satisfies readonly (keyof TelemetryEventRow)[];

/** The attempt-level columns the statement reads, in parameter order (after the event columns). */
const attemptColumns = [
  'event_id',
  'attempt_index',
  'model_id',
  'provider',
  'outcome',
  'error_kind',
  'http_status',
  'billed',
  'bill_reason',
  'cost_status',
  'cost_micros',
  'unknown_cost_reason',
  'price_version',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'started_after_ms',
  'time_to_first_token_ms',
  'duration_ms',
  'hedge',
] as const satisfies readonly (keyof LedgerAttemptRow)[];

/** Each column as a PostgreSQL array literal (`{"a","b",NULL}`), cast to its type by the statement. */
type EventColumns = Record<(typeof eventColumns)[number], string>;
type AttemptColumns = Record<(typeof attemptColumns)[number], string>;

/**
 * All of the ledger's write SQL. A batch is ONE statement, hence one transaction: the events go
 * into `telemetry_events` (`on conflict do nothing`: a replayed id adds nothing), the attempts of
 * the events that were new into `ledger_entries`, and their sums per rollup group into
 * `ledger_rollup_deltas`, so a batch of 100 events is one round trip to the database whatever its
 * size. A crash at any point leaves the batch wholly stored or wholly absent, and the sender's retry
 * fills the gap exactly once.
 *
 * The sums are appended, not upserted into `ledger_hourly_rollup`: every batch of the same hour
 * touches the same few rollup rows, and an upsert holds their locks until its commit is flushed, so
 * concurrent batches of one hour could only finish one after another (and the upsert cost CPU).
 * {@link LedgerRepository.foldRollup} moves the deltas into the rollup, a delete and an upsert in
 * one statement (exactly once, whatever crashes), and analytics reads the rollup together with the
 * deltas not folded yet.
 *
 * `received_at` is the database's clock, read after the statement has taken the ledger's seed lock
 * shared (`ledger-seed-lock.ts`), so that budget counters seeded from the ledger know exactly which
 * attempts their sum holds.
 *
 * The rows travel as one array per column, read with `unnest`: the server parses a flat array
 * literal per column, far cheaper than a JSON document per batch, and the parameter count stays
 * fixed (39) whatever the batch size, so the statement text never changes. The literals are written
 * here rather than by the driver, whose general array serialiser was a tenth of the process's CPU.
 */
@Injectable()
export class LedgerRepository {
  private readonly database: Kysely<unknown>;

  constructor(@Inject(DATABASE) database: Kysely<unknown>) {
    this.database = database;
  }

  /** Stores a batch; returns the ids of the events that were new (the rest were already stored). */
  async insertBatch(rows: LedgerBatchRows): Promise<Set<string>> {
    if (rows.events.length === 0) return new Set();
    const events = columnsOf(rows.events, eventColumns);
    const attempts = columnsOf(rows.attempts, attemptColumns);
    const result = await retryingConflicts(() =>
      this.ingestStatement(events, attempts).execute(this.database),
    );
    return new Set(result.rows.map((row) => row.event_id));
  }

  /**
   * Moves every delta into `ledger_hourly_rollup`: one statement deletes the deltas and upserts
   * their sums, so each delta is counted exactly once, by whichever fold deleted it, even with
   * several instances folding at once (under READ COMMITTED a delta another fold deleted meanwhile
   * is skipped, and upserts of the same rollup row wait for each other). Returns the deltas folded.
   * The rollup rows are upserted in key order, so two folds never lock them in opposite orders.
   */
  async foldRollup(): Promise<number> {
    const { rows } = await retryingConflicts(() =>
      sql<{ folded: string | number }>`
          with moved as (
            delete from ledger_rollup_deltas
            returning hour, model_id, provider, task_type, tenant_key, attempts, requests, cost_micros,
              unknown_cost_attempts, input_tokens, output_tokens
          ),
          folded as (
            insert into ledger_hourly_rollup as rollup (
              hour, model_id, provider, task_type, tenant_key, attempts, requests, cost_micros,
              unknown_cost_attempts, input_tokens, output_tokens
            )
            select hour, model_id, provider, task_type, tenant_key, sum(attempts), sum(requests),
              sum(cost_micros), sum(unknown_cost_attempts), sum(input_tokens), sum(output_tokens)
            from moved
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
          select count(*) as folded from moved`.execute(this.database),
    );
    return Number(rows[0]?.folded ?? 0);
  }

  /**
   * `ledger_entries` has no `on conflict` clause: only attempts of events this statement inserted
   * into `telemetry_events` are written (`join new_events`), and an event's attempts are only ever
   * written together with it, so their keys cannot exist yet; a speculative insert per row would
   * cost a fifth of the statement for nothing.
   */
  private ingestStatement(events: EventColumns, attempts: AttemptColumns) {
    return sql<{ event_id: string }>`
      with ledger_clock as (
        select clock_timestamp() as received_at
        from (select pg_advisory_xact_lock_shared(${sql.lit(ledgerSeedLockKey.toString())}::bigint)) as admitted
      ),
      incoming_events as (
        select * from unnest(
          ${events.event_id}::text[], ${events.schema_version}::integer[], ${events.source}::text[],
          ${events.occurred_at}::timestamptz[], ${events.decision_id}::text[], ${events.policy_name}::text[],
          ${events.snapshot_version}::integer[], ${events.task_type}::text[], ${events.risk_level}::text[],
          ${events.player_id}::text[], ${events.session_id}::text[], ${events.tenant_id}::text[],
          ${events.answered_by}::text[], ${events.outcome}::text[], ${events.fallback}::boolean[],
          ${events.total_latency_ms}::integer[], ${events.attempt_count}::integer[],
          ${events.api_key_id}::text[]
        ) as event (
          event_id, schema_version, source, occurred_at, decision_id, policy_name, snapshot_version,
          task_type, risk_level, player_id, session_id, tenant_id, answered_by, outcome, fallback,
          total_latency_ms, attempt_count, api_key_id
        )
      ),
      new_events as (
        insert into telemetry_events (
          event_id, schema_version, source, occurred_at, received_at, decision_id, policy_name,
          snapshot_version, task_type, risk_level, player_id, session_id, tenant_id, answered_by, outcome,
          fallback, total_latency_ms, attempt_count, api_key_id
        )
        select
          event_id, schema_version, source, occurred_at, (select received_at from ledger_clock), decision_id, policy_name,
          snapshot_version, task_type, risk_level, player_id, session_id, tenant_id, answered_by, outcome,
          fallback, total_latency_ms, attempt_count, api_key_id
        from incoming_events
        order by event_id
        on conflict (event_id) do nothing
        returning event_id, source, occurred_at, decision_id, policy_name, task_type, risk_level, player_id,
          session_id, tenant_id
      ),
      incoming_attempts as (
        select * from unnest(
          ${attempts.event_id}::text[], ${attempts.attempt_index}::integer[], ${attempts.model_id}::text[],
          ${attempts.provider}::text[], ${attempts.outcome}::text[], ${attempts.error_kind}::text[],
          ${attempts.http_status}::integer[], ${attempts.billed}::boolean[], ${attempts.bill_reason}::text[],
          ${attempts.cost_status}::text[], ${attempts.cost_micros}::bigint[],
          ${attempts.unknown_cost_reason}::text[], ${attempts.price_version}::text[],
          ${attempts.input_tokens}::bigint[], ${attempts.output_tokens}::bigint[],
          ${attempts.cache_read_tokens}::bigint[], ${attempts.cache_write_tokens}::bigint[],
          ${attempts.reasoning_tokens}::bigint[], ${attempts.started_after_ms}::integer[],
          ${attempts.time_to_first_token_ms}::integer[], ${attempts.duration_ms}::integer[],
          ${attempts.hedge}::boolean[]
        ) as attempt (
          event_id, attempt_index, model_id, provider, outcome, error_kind, http_status, billed, bill_reason,
          cost_status, cost_micros, unknown_cost_reason, price_version, input_tokens, output_tokens,
          cache_read_tokens, cache_write_tokens, reasoning_tokens, started_after_ms, time_to_first_token_ms,
          duration_ms, hedge
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
          attempt.event_id, attempt.attempt_index, event.occurred_at, (select received_at from ledger_clock),
          event.decision_id, event.policy_name, attempt.model_id, attempt.provider, event.task_type,
          event.risk_level, event.player_id, event.session_id, event.tenant_id, attempt.outcome,
          attempt.error_kind, attempt.http_status, attempt.billed, attempt.bill_reason, attempt.cost_status,
          attempt.cost_micros, attempt.unknown_cost_reason, attempt.price_version, attempt.input_tokens,
          attempt.output_tokens, attempt.cache_read_tokens, attempt.cache_write_tokens,
          attempt.reasoning_tokens, attempt.started_after_ms, attempt.time_to_first_token_ms,
          attempt.duration_ms, attempt.hedge, event.source
        from incoming_attempts attempt
        join new_events event on event.event_id = attempt.event_id
        returning event_id, occurred_at, model_id, provider, task_type, tenant_id, cost_status, cost_micros,
          input_tokens, output_tokens
      ),
      rollup_deltas as (
        insert into ledger_rollup_deltas (
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
      )
      select event_id from new_events`;
  }
}

/** A column value as the rows hold it. */
type ColumnValue = string | number | boolean | null;

/** One array literal per column, in row order (the shape `unnest` reads). */
function columnsOf<Row extends { [Key in Column]: ColumnValue }, Column extends keyof Row & string>(
  rows: readonly Row[],
  columns: readonly Column[],
): Record<Column, string> {
  const result = {} as Record<Column, string>;
  for (const column of columns) {
    let literal = '{';
    for (let index = 0; index < rows.length; index += 1) {
      if (index > 0) literal += ',';
      literal += arrayElement(rows[index]![column]);
    }
    result[column] = `${literal}}`;
  }
  return result;
}

const needsEscape = /["\\]/;
const escaped = /["\\]/g;

/**
 * One element of an array literal: NULL, a number or boolean as is, a string always quoted (so that
 * `NULL`, an empty string, braces, commas and spaces stay text) with `"` and `\` backslash-escaped.
 */
export function arrayElement(value: ColumnValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') {
    return needsEscape.test(value) ? `"${value.replace(escaped, '\\$&')}"` : `"${value}"`;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`ledger column value ${value} is not a whole number`);
    return String(value);
  }
  return value ? 't' : 'f';
}
