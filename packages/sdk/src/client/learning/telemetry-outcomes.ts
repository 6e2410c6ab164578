import type { AttemptOutcome } from '@switchboard/core';
import type { TelemetryAttempt, TelemetryEvent, TelemetryEventFields } from '../telemetry/telemetry-event.ts';

/** The part of a telemetry event the optimiser learns from. */
export type LearnableTelemetry = Pick<TelemetryEventFields, 'taskType' | 'attempts'>;

function outcomeOfAttempt(
  attempt: TelemetryAttempt,
  taskType: TelemetryEventFields['taskType'],
  requestStartedAt: number,
): AttemptOutcome | undefined {
  // Stopped by us (a hedge that lost, the caller's abort): says nothing about the model.
  if (attempt.outcome === 'cancelled') return undefined;
  const now = requestStartedAt + attempt.startedAfterMs + attempt.durationMs;
  const timeToFirstTokenMs = attempt.timeToFirstTokenMs ?? undefined;
  if (attempt.outcome === 'failed') {
    return {
      modelId: attempt.modelId,
      taskType,
      now,
      ok: false,
      errorKind: attempt.errorKind ?? undefined,
      timeToFirstTokenMs,
    };
  }
  return {
    modelId: attempt.modelId,
    taskType,
    now,
    ok: true,
    timeToFirstTokenMs,
    totalMs: attempt.durationMs,
    outputTokens: attempt.usage.outputTokens ?? undefined,
  };
}

/**
 * The optimiser's reading of one request's attempts (core's `recordOutcome` input), the same in the
 * SDK and in the control plane, so a request teaches the fleet exactly what it taught the client
 * that ran it:
 *
 * - `succeeded`: an answered attempt: its time to first token, its whole duration and its output
 *   tokens (for speed);
 * - `failed`: a failed attempt with its error kind (core decides whether the kind counts against
 *   the model) and its time to first token when one came before the failure;
 * - `cancelled` (a hedge that lost the race, the caller's abort): left out, since we stopped it.
 *
 * Each attempt is dated at its own end: `requestStartedAt` plus its start offset and duration.
 */
export function attemptOutcomesOf(telemetry: LearnableTelemetry, requestStartedAt: number): AttemptOutcome[] {
  const outcomes: AttemptOutcome[] = [];
  for (const attempt of telemetry.attempts) {
    const outcome = outcomeOfAttempt(attempt, telemetry.taskType, requestStartedAt);
    if (outcome !== undefined) outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * {@link attemptOutcomesOf} for a stamped event, as the control plane receives it: the request
 * started `totalLatencyMs` before `occurredAt`. `latestAt` (the receiver's clock) caps the dates, so
 * a reporter whose clock runs ahead cannot date evidence in the receiver's future. Returns nothing
 * for an event whose `occurredAt` is not a date.
 */
export function attemptOutcomesOfEvent(event: TelemetryEvent, latestAt?: number): AttemptOutcome[] {
  const endedAt = Date.parse(event.occurredAt);
  if (!Number.isFinite(endedAt)) return [];
  const outcomes = attemptOutcomesOf(event, endedAt - event.totalLatencyMs);
  if (latestAt === undefined) return outcomes;
  return outcomes.map((outcome) => (outcome.now > latestAt ? { ...outcome, now: latestAt } : outcome));
}
