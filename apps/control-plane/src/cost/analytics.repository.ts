import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import type { AnalyticsDimension, AnalyticsQuery } from './analytics-query.ts';

/** Dimension values of one row, in the query's `groupBy` order. */
export type DimensionValues = (string | null)[];

/** Cost sums of one group. */
export interface CostSums {
  dimensions: DimensionValues;
  costMicros: number;
  unknownCostAttempts: number;
  attempts: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** Performance figures of one group. */
export interface PerformanceFigures {
  dimensions: DimensionValues;
  requests: number;
  attempts: number;
  failedAttempts: number;
  fallbackRequests: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TimeToFirstTokenMs: number | null;
}

/** Feedback of one group: scores of its answered decisions and what those answers cost. */
export interface QualityFigures {
  dimensions: DimensionValues;
  meanQuality: number;
  feedbackCount: number;
  scoredCostMicros: number;
  scoredUnknownCostAttempts: number;
  scoredRequests: number;
}

/** Each dimension as an expression over `ledger_entries` (alias `entry`). */
const ledgerExpressions: Readonly<Record<AnalyticsDimension, string>> = {
  day: `to_char(entry.occurred_at at time zone 'UTC', 'YYYY-MM-DD')`,
  model: 'entry.model_id',
  provider: 'entry.provider',
  taskType: 'entry.task_type',
  player: 'entry.player_id',
  session: 'entry.session_id',
  tenant: 'entry.tenant_id',
};

/** The dimensions the hourly rollup keeps, as expressions over `ledger_hourly_rollup` (alias `rollup`). */
const rollupExpressions: Partial<Readonly<Record<AnalyticsDimension, string>>> = {
  day: `to_char(rollup.hour at time zone 'UTC', 'YYYY-MM-DD')`,
  model: 'rollup.model_id',
  provider: 'rollup.provider',
  taskType: 'rollup.task_type',
  tenant: `nullif(rollup.tenant_key, '')`,
};

const hourMs = 3_600_000;

/**
 * The hourly rollup as of now: the folded rows and the deltas not folded yet (see
 * `LedgerRepository.foldRollup`). Several rows may share a key, so readers sum. One statement reads
 * both under one snapshot, and a fold moves deltas in one transaction, so each delta is seen exactly
 * once, folded or not. Conditions on the columns reach both tables (PostgreSQL pushes them down).
 */
const currentRollup = sql`(
  select hour, model_id, provider, task_type, tenant_key, attempts, requests, cost_micros,
    unknown_cost_attempts, input_tokens, output_tokens
  from ledger_hourly_rollup
  union all
  select hour, model_id, provider, task_type, tenant_key, attempts, requests, cost_micros,
    unknown_cost_attempts, input_tokens, output_tokens
  from ledger_rollup_deltas
)`;

/**
 * All of analytics' SQL. Every query is bounded by time through an index (`ledger_entries
 * (occurred_at)`, `telemetry_events (occurred_at)`) or reads the hourly rollup; none scans the
 * ledger as a whole. Cost grouped by dimensions the rollup keeps (with `model` among them, so its
 * per-group request counts add up) over whole hours reads the rollup, together with the deltas the
 * ingest appended since the last fold, so a figure is up to date the moment its batch is acknowledged.
 */
@Injectable()
export class AnalyticsRepository {
  constructor(@Inject(DATABASE) private readonly database: Kysely<unknown>) {}

  /** True when {@link costByGroup} answers from the rollup for this query. */
  static usesRollup(query: AnalyticsQuery): boolean {
    return (
      query.groupBy.includes('model') &&
      query.groupBy.every((dimension) => rollupExpressions[dimension] !== undefined) &&
      query.from.getTime() % hourMs === 0 &&
      query.to.getTime() % hourMs === 0
    );
  }

  async costByGroup(query: AnalyticsQuery): Promise<CostSums[]> {
    const rollup = AnalyticsRepository.usesRollup(query);
    const dimensions = selectDimensions(query.groupBy, rollup ? rollupExpressions : ledgerExpressions);
    const statement = rollup
      ? sql<Record<string, unknown>>`
          select ${dimensions.select}, sum(cost_micros) as cost_micros,
            sum(unknown_cost_attempts) as unknown_cost_attempts, sum(attempts) as attempts,
            sum(requests) as requests, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens
          from ${currentRollup} rollup
          where rollup.hour >= ${query.from.toISOString()}::timestamptz
            and rollup.hour < ${query.to.toISOString()}::timestamptz
          group by ${dimensions.groupBy} order by ${dimensions.groupBy}`
      : sql<Record<string, unknown>>`
          select ${dimensions.select}, coalesce(sum(entry.cost_micros), 0) as cost_micros,
            count(*) filter (where entry.cost_status = 'unknown') as unknown_cost_attempts,
            count(*) as attempts, count(distinct entry.event_id) as requests,
            coalesce(sum(entry.input_tokens), 0) as input_tokens,
            coalesce(sum(entry.output_tokens), 0) as output_tokens
          from ledger_entries entry
          where entry.occurred_at >= ${query.from.toISOString()}::timestamptz
            and entry.occurred_at < ${query.to.toISOString()}::timestamptz
          group by ${dimensions.groupBy} order by ${dimensions.groupBy}`;
    const { rows } = await statement.execute(this.database);
    return rows.map((row) => ({
      dimensions: dimensionValues(row, query.groupBy.length),
      costMicros: toNumber(row.cost_micros),
      unknownCostAttempts: toNumber(row.unknown_cost_attempts),
      attempts: toNumber(row.attempts),
      requests: toNumber(row.requests),
      inputTokens: toNumber(row.input_tokens),
      outputTokens: toNumber(row.output_tokens),
    }));
  }

  /** Requests in the range, with or without attempts. */
  async requestCount(from: Date, to: Date): Promise<number> {
    const { rows } = await sql<{ requests: unknown }>`
      select count(*) as requests from telemetry_events
      where occurred_at >= ${from.toISOString()}::timestamptz and occurred_at < ${to.toISOString()}::timestamptz`.execute(
      this.database,
    );
    return toNumber(rows[0]?.requests);
  }

  /** Known cost since `from` (a whole hour), from the rollup (with its deltas not folded yet). */
  async costSince(from: Date): Promise<number> {
    const { rows } = await sql<{ cost_micros: unknown }>`
      select coalesce(sum(cost_micros), 0) as cost_micros from ${currentRollup} rollup
      where hour >= ${from.toISOString()}::timestamptz`.execute(this.database);
    return toNumber(rows[0]?.cost_micros);
  }

  async performanceByGroup(query: AnalyticsQuery): Promise<PerformanceFigures[]> {
    const dimensions = selectDimensions(query.groupBy, ledgerExpressions);
    const { rows } = await sql<Record<string, unknown>>`
      select ${dimensions.select},
        count(distinct entry.event_id) as requests,
        count(*) as attempts,
        count(*) filter (where entry.outcome = 'failed') as failed_attempts,
        count(distinct entry.event_id) filter (where event.fallback) as fallback_requests,
        percentile_cont(0.5) within group (order by entry.duration_ms)
          filter (where entry.outcome = 'succeeded') as p50_latency,
        percentile_cont(0.95) within group (order by entry.duration_ms)
          filter (where entry.outcome = 'succeeded') as p95_latency,
        percentile_cont(0.5) within group (order by entry.time_to_first_token_ms) as p50_ttft
      from ledger_entries entry
      join telemetry_events event on event.event_id = entry.event_id
      where entry.occurred_at >= ${query.from.toISOString()}::timestamptz
        and entry.occurred_at < ${query.to.toISOString()}::timestamptz
      group by ${dimensions.groupBy} order by ${dimensions.groupBy}`.execute(this.database);
    return rows.map((row) => ({
      dimensions: dimensionValues(row, query.groupBy.length),
      requests: toNumber(row.requests),
      attempts: toNumber(row.attempts),
      failedAttempts: toNumber(row.failed_attempts),
      fallbackRequests: toNumber(row.fallback_requests),
      p50LatencyMs: toNullableNumber(row.p50_latency),
      p95LatencyMs: toNullableNumber(row.p95_latency),
      p50TimeToFirstTokenMs: toNullableNumber(row.p50_ttft),
    }));
  }

  /**
   * Feedback scores per group, joined to the attempt that answered the scored decision (the
   * succeeded attempt of the model the score is about), with what those answers cost.
   */
  async qualityByGroup(query: AnalyticsQuery): Promise<QualityFigures[]> {
    const dimensions = selectDimensions(query.groupBy, ledgerExpressions);
    const from = query.from.toISOString();
    const to = query.to.toISOString();
    const { rows } = await sql<Record<string, unknown>>`
      with scores as (
        select feedback.decision_id, feedback.model_id, sum(feedback.score) as score_sum, count(*) as scores
        from feedback
        where feedback.decision_id in (
          select decision_id from ledger_entries
          where occurred_at >= ${from}::timestamptz and occurred_at < ${to}::timestamptz
        )
        group by feedback.decision_id, feedback.model_id
      )
      select ${dimensions.select},
        sum(scores.score_sum) / sum(scores.scores) as mean_quality,
        sum(scores.scores) as feedback_count,
        coalesce(sum(entry.cost_micros), 0) as scored_cost_micros,
        count(*) filter (where entry.cost_status = 'unknown') as scored_unknown,
        count(distinct entry.event_id) as scored_requests
      from ledger_entries entry
      join scores on scores.decision_id = entry.decision_id and scores.model_id = entry.model_id
      where entry.outcome = 'succeeded'
        and entry.occurred_at >= ${from}::timestamptz and entry.occurred_at < ${to}::timestamptz
      group by ${dimensions.groupBy}`.execute(this.database);
    return rows.map((row) => ({
      dimensions: dimensionValues(row, query.groupBy.length),
      meanQuality: toNumber(row.mean_quality),
      feedbackCount: toNumber(row.feedback_count),
      scoredCostMicros: toNumber(row.scored_cost_micros),
      scoredUnknownCostAttempts: toNumber(row.scored_unknown),
      scoredRequests: toNumber(row.scored_requests),
    }));
  }
}

/** `select` and `group by` lists for the dimensions; expressions come from the fixed tables above only. */
function selectDimensions(
  groupBy: readonly AnalyticsDimension[],
  expressions: Partial<Readonly<Record<AnalyticsDimension, string>>>,
): { select: RawBuilder<unknown>; groupBy: RawBuilder<unknown> } {
  const list = groupBy.map((dimension) => {
    const expression = expressions[dimension];
    if (expression === undefined) throw new Error(`no expression for dimension ${dimension}`);
    return expression;
  });
  return {
    select: sql.raw(list.map((expression, index) => `${expression} as dimension_${index}`).join(', ')),
    groupBy: sql.raw(list.map((_, index) => String(index + 1)).join(', ')),
  };
}

function dimensionValues(row: Record<string, unknown>, count: number): DimensionValues {
  return Array.from({ length: count }, (_, index) => {
    const value = row[`dimension_${index}`];
    return value === null || value === undefined ? null : String(value);
  });
}

/** Counts and sums arrive as strings (pg's bigint and numeric) or numbers (PGlite). */
function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
