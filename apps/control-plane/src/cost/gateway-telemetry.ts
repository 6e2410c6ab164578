import type { Cost, Usage } from '@switchboard/core';
import {
  telemetrySchemaVersion,
  type AttemptRecord,
  type TelemetryAttempt,
  type TelemetryCost,
  type TelemetryEvent,
  type TelemetryOutcome,
  type TelemetryUsage,
} from '@switchboard/sdk';
import type { GatewayOutcome } from '../gateway/gateway-outcome.reporter.ts';

function usageOf(usage: Usage | undefined): TelemetryUsage {
  return {
    inputTokens: usage?.inputTokens.total ?? null,
    outputTokens: usage?.outputTokens.total ?? null,
    cacheReadTokens: usage?.inputTokens.cacheRead ?? null,
    cacheWriteTokens: usage?.inputTokens.cacheWrite ?? null,
    reasoningTokens: usage?.outputTokens.reasoning ?? null,
  };
}

/** An attempt that is not billed costs nothing; one that is billed without a known price is unknown. */
function costOf(cost: Cost | undefined, billed: boolean): TelemetryCost {
  if (!billed || cost === undefined) return { status: 'known', micros: 0 };
  return cost.status === 'known'
    ? { status: 'known', micros: cost.micros }
    : { status: 'unknown', reason: cost.reason };
}

/** One engine attempt in the SDK's telemetry shape (the same mapping the SDK's client applies). */
export function gatewayTelemetryAttempt(attempt: AttemptRecord, requestStartedAt: number): TelemetryAttempt {
  const outcome =
    attempt.outcome === 'ok'
      ? 'succeeded'
      : attempt.outcome === 'hedge-lost' || attempt.outcome === 'aborted'
        ? 'cancelled'
        : 'failed';
  return {
    modelId: attempt.modelId,
    provider: attempt.provider,
    outcome,
    errorKind: attempt.error?.kind ?? null,
    status: attempt.error?.status ?? null,
    hedge: attempt.trigger === 'hedge',
    startedAfterMs: Math.max(0, Math.round(attempt.startedAt - requestStartedAt)),
    timeToFirstTokenMs:
      attempt.firstTokenAt === undefined
        ? null
        : Math.max(0, Math.round(attempt.firstTokenAt - attempt.startedAt)),
    durationMs: Math.max(0, Math.round(attempt.endedAt - attempt.startedAt)),
    usage: usageOf(attempt.usage),
    cost: costOf(attempt.cost, attempt.billed),
    priceVersion: attempt.billed ? (attempt.cost?.priceVersion ?? null) : null,
    billed: attempt.billed,
  };
}

/**
 * A gateway request as a telemetry event (source `gateway`), so the ledger, analytics and every
 * traffic listener see gateway and SDK traffic alike. `undefined` when the request ended before a
 * decision was made (nothing was called, nothing can be attributed). The SDK's client keeps the
 * same mapping in `execution-telemetry.ts`, which it does not export.
 */
export function telemetryEventOfGatewayOutcome(
  outcome: GatewayOutcome,
  eventId: string,
): TelemetryEvent | undefined {
  const decision = outcome.result?.decision ?? outcome.error?.decision;
  if (decision === undefined) return undefined;
  const { result, error, context } = outcome;
  const attempts = (result?.attempts ?? error?.attempts ?? []).map((attempt) =>
    gatewayTelemetryAttempt(attempt, outcome.startedAt),
  );
  let telemetryOutcome: TelemetryOutcome;
  let fallback = false;
  if (result !== undefined) {
    telemetryOutcome = result.fallback === 'safe-message' ? 'safe-message' : 'answered';
    fallback =
      telemetryOutcome === 'safe-message' ||
      result.answeredBy !== result.decision.candidates[0]?.modelId ||
      result.contributors.length > 1;
  } else if (error?.kind === 'aborted') telemetryOutcome = 'aborted';
  else if (error?.kind === 'no_candidate' && decision.candidates.length === 0)
    telemetryOutcome = 'no-eligible-model';
  else telemetryOutcome = 'failed';
  return {
    schemaVersion: telemetrySchemaVersion,
    eventId,
    occurredAt: new Date(outcome.endedAt).toISOString(),
    decisionId: outcome.decisionId,
    policyName: decision.policyName,
    snapshotVersion: decision.snapshotVersion,
    taskType: context.taskType,
    riskLevel: context.riskLevel,
    playerId: context.playerId ?? null,
    sessionId: context.sessionId ?? null,
    tenantId: context.tenantId ?? null,
    attempts,
    answeredBy: result?.answeredBy ?? null,
    outcome: telemetryOutcome,
    fallback,
    totalLatencyMs: Math.max(0, Math.round(outcome.endedAt - outcome.startedAt)),
  };
}
