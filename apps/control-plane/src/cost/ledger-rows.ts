import type { TelemetryAttempt, TelemetryEvent } from '@switchboard/sdk';
import type { TrafficSource } from '../traffic/traffic-outcome-bus.ts';

/**
 * Why an attempt is billed or not, so an auditor can tell a free failure from a missing price:
 * - `completed`: the model answered; billed from the usage it reported.
 * - `cancelled-after-accept`: we stopped it (a hedge that lost, the caller's abort) after the
 *   provider accepted the request; providers bill what they processed.
 * - `failed-with-usage`: it failed, but the provider reported usage, so it is billed from that.
 * - `failed-not-billed`: it failed and the provider reported no usage; providers do not bill these.
 * - `cancelled-not-billed`: stopped before the provider accepted it.
 */
export type BillReason =
  'completed' | 'cancelled-after-accept' | 'failed-with-usage' | 'failed-not-billed' | 'cancelled-not-billed';

/** The request-level row of `telemetry_events`, named as its columns (sent as one array per column). */
export interface TelemetryEventRow {
  event_id: string;
  schema_version: number;
  source: TrafficSource;
  occurred_at: string;
  decision_id: string;
  policy_name: string;
  snapshot_version: number;
  task_type: string;
  risk_level: string;
  player_id: string | null;
  session_id: string | null;
  tenant_id: string | null;
  answered_by: string | null;
  outcome: string;
  fallback: boolean;
  total_latency_ms: number;
  attempt_count: number;
  api_key_id: string | null;
}

/** The attempt-level part of a `ledger_entries` row; the request's fields are joined in by the statement. */
export interface LedgerAttemptRow {
  event_id: string;
  attempt_index: number;
  model_id: string;
  provider: string;
  outcome: string;
  error_kind: string | null;
  http_status: number | null;
  billed: boolean;
  bill_reason: BillReason;
  cost_status: 'known' | 'unknown';
  cost_micros: number | null;
  unknown_cost_reason: string | null;
  price_version: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  started_after_ms: number;
  time_to_first_token_ms: number | null;
  duration_ms: number;
  hedge: boolean;
}

/** One batch flattened for the ingest statement. */
export interface LedgerBatchRows {
  events: TelemetryEventRow[];
  attempts: LedgerAttemptRow[];
}

/** One event and where it came from. */
export interface SourcedEvent {
  event: TelemetryEvent;
  source: TrafficSource;
  /** The API key that sent the SDK batch, or the gateway request; `null` when none did. */
  apiKeyId: string | null;
}

/** See {@link BillReason}. */
export function billReasonOf(attempt: TelemetryAttempt): BillReason {
  if (attempt.outcome === 'succeeded') return 'completed';
  if (attempt.outcome === 'cancelled')
    return attempt.billed ? 'cancelled-after-accept' : 'cancelled-not-billed';
  return attempt.billed ? 'failed-with-usage' : 'failed-not-billed';
}

/**
 * The attempt's cost as the ledger stores it. An attempt that is not billed costs a known 0; a
 * billed one keeps the sender's status, so a missing price is stored as unknown (null micros),
 * never as 0.
 */
function costColumns(
  attempt: TelemetryAttempt,
): Pick<LedgerAttemptRow, 'cost_status' | 'cost_micros' | 'unknown_cost_reason'> {
  if (!attempt.billed) return { cost_status: 'known', cost_micros: 0, unknown_cost_reason: null };
  if (attempt.cost.status === 'known') {
    return { cost_status: 'known', cost_micros: attempt.cost.micros, unknown_cost_reason: null };
  }
  return { cost_status: 'unknown', cost_micros: null, unknown_cost_reason: attempt.cost.reason };
}

/**
 * Flattens events into the rows of one ingest statement. An id repeated within the batch keeps its
 * first occurrence (the sink never repeats one, but a hand-made batch might), so the statement
 * never sees the same key twice.
 */
export function ledgerRowsOf(sourced: readonly SourcedEvent[]): LedgerBatchRows {
  const seen = new Set<string>();
  const rows: LedgerBatchRows = { events: [], attempts: [] };
  for (const { event, source, apiKeyId } of sourced) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    rows.events.push({
      event_id: event.eventId,
      schema_version: event.schemaVersion,
      source,
      occurred_at: event.occurredAt,
      decision_id: event.decisionId,
      policy_name: event.policyName,
      snapshot_version: event.snapshotVersion,
      task_type: event.taskType,
      risk_level: event.riskLevel,
      player_id: event.playerId,
      session_id: event.sessionId,
      tenant_id: event.tenantId,
      answered_by: event.answeredBy,
      outcome: event.outcome,
      fallback: event.fallback,
      total_latency_ms: Math.round(event.totalLatencyMs),
      attempt_count: event.attempts.length,
      api_key_id: apiKeyId,
    });
    event.attempts.forEach((attempt, index) => {
      rows.attempts.push({
        event_id: event.eventId,
        attempt_index: index,
        model_id: attempt.modelId,
        provider: attempt.provider,
        outcome: attempt.outcome,
        error_kind: attempt.errorKind,
        http_status: attempt.status,
        billed: attempt.billed,
        bill_reason: billReasonOf(attempt),
        ...costColumns(attempt),
        price_version: attempt.priceVersion,
        input_tokens: attempt.usage.inputTokens,
        output_tokens: attempt.usage.outputTokens,
        cache_read_tokens: attempt.usage.cacheReadTokens,
        cache_write_tokens: attempt.usage.cacheWriteTokens,
        reasoning_tokens: attempt.usage.reasoningTokens,
        started_after_ms: Math.round(attempt.startedAfterMs),
        time_to_first_token_ms:
          attempt.timeToFirstTokenMs === null ? null : Math.round(attempt.timeToFirstTokenMs),
        duration_ms: Math.round(attempt.durationMs),
        hedge: attempt.hedge,
      });
    });
  }
  return rows;
}
