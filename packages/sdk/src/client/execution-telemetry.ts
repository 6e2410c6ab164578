import type { Cost, Decision, TherapeuticContext, Usage } from '@switchboard/core';
import type { AttemptRecord, ExecutionError, ExecutionResult } from '../engine/index.ts';
import type {
  TelemetryAttempt,
  TelemetryCost,
  TelemetryEventFields,
  TelemetryOutcome,
  TelemetryUsage,
} from './telemetry/telemetry-event.ts';

/** Who the request was for and how it was decided, besides what the engine reports. */
export interface ExecutionTelemetryFacts {
  decisionId: string;
  context: TherapeuticContext;
  /** The session the request belongs to, when the context does not name one. */
  sessionId: string | undefined;
  /** When the request started, on the client's clock. */
  startedAt: number;
  /** When it ended (for failures, which carry no end time of their own). */
  endedAt: number;
}

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

/**
 * Telemetry carries whole milliseconds: hosts whose clock is fractional (the control plane's gateway
 * reuses these mappings) must produce what the ingest accepts, and a negative span from clock
 * skew means zero.
 */
function wholeMilliseconds(span: number): number {
  return Math.max(0, Math.round(span));
}

/** One engine attempt as telemetry: ids, outcome, timings, counts and cost, never content. */
export function telemetryAttempt(attempt: AttemptRecord, requestStartedAt: number): TelemetryAttempt {
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
    startedAfterMs: wholeMilliseconds(attempt.startedAt - requestStartedAt),
    timeToFirstTokenMs:
      attempt.firstTokenAt === undefined ? null : wholeMilliseconds(attempt.firstTokenAt - attempt.startedAt),
    durationMs: wholeMilliseconds(attempt.endedAt - attempt.startedAt),
    usage: usageOf(attempt.usage),
    cost: costOf(attempt.cost, attempt.billed),
    priceVersion: attempt.billed ? (attempt.cost?.priceVersion ?? null) : null,
    billed: attempt.billed,
  };
}

function commonFields(facts: ExecutionTelemetryFacts, decision: Decision) {
  const { context } = facts;
  return {
    decisionId: facts.decisionId,
    policyName: decision.policyName,
    snapshotVersion: decision.snapshotVersion,
    taskType: context.taskType,
    riskLevel: context.riskLevel,
    playerId: context.playerId ?? null,
    sessionId: context.sessionId ?? facts.sessionId ?? null,
    tenantId: context.tenantId ?? null,
  };
}

/**
 * The telemetry of an answered request. `fallback` is set when the safe message answered, when a
 * model other than the decision's first candidate answered, or when more than one model wrote the
 * answer (a handoff); a retry on the same model is not a fallback.
 */
export function telemetryOfResult(
  result: ExecutionResult,
  facts: ExecutionTelemetryFacts,
): TelemetryEventFields {
  const firstCandidate = result.decision.candidates[0]?.modelId;
  const outcome: TelemetryOutcome = result.fallback === 'safe-message' ? 'safe-message' : 'answered';
  return {
    ...commonFields(facts, result.decision),
    attempts: result.attempts.map((attempt) => telemetryAttempt(attempt, facts.startedAt)),
    answeredBy: result.answeredBy ?? null,
    outcome,
    fallback:
      outcome === 'safe-message' || result.answeredBy !== firstCandidate || result.contributors.length > 1,
    totalLatencyMs: wholeMilliseconds(result.endedAt - facts.startedAt),
  };
}

/** The telemetry of a request that got no answer. */
export function telemetryOfFailure(
  error: ExecutionError,
  facts: ExecutionTelemetryFacts,
): TelemetryEventFields {
  let outcome: TelemetryOutcome = 'failed';
  if (error.kind === 'aborted') outcome = 'aborted';
  else if (error.kind === 'no_candidate' && error.decision.candidates.length === 0)
    outcome = 'no-eligible-model';
  return {
    ...commonFields(facts, error.decision),
    attempts: error.attempts.map((attempt) => telemetryAttempt(attempt, facts.startedAt)),
    answeredBy: null,
    outcome,
    fallback: false,
    totalLatencyMs: wholeMilliseconds(facts.endedAt - facts.startedAt),
  };
}
