import type { TaskType } from '../context/therapeutic-context.ts';
import { isHealthFailureKind } from '../health/health-failure-kind.ts';
import type { ProviderErrorKind } from '../spec/provider-error.ts';
import { advanceLatency, advanceReliability } from './evidence-decay.ts';
import { addToSketch } from './latency-sketch.ts';
import { cellFor, checkEventKeys, type OptimizerState } from './optimizer-state.ts';

/** How one attempt on one model ended, as the engine measured it. */
export interface AttemptOutcome {
  /** Registry id of the model that was called. */
  modelId: string;
  taskType: TaskType;
  /** When the attempt ended, epoch milliseconds from the injected clock. */
  now: number;
  /** The model answered completely. */
  ok: boolean;
  /** Why it failed, when it did; decides whether the failure counts against the model. */
  errorKind?: ProviderErrorKind | undefined;
  /** Milliseconds to the first token, when one arrived (also on an attempt that failed later). */
  timeToFirstTokenMs?: number | undefined;
  /** Milliseconds from the start of the attempt to its last token; read for answered attempts. */
  totalMs?: number | undefined;
  /** Tokens the model produced; read for answered attempts. */
  outputTokens?: number | undefined;
}

/**
 * Whether a failure of this kind says something about how well this model serves this task. The
 * kinds that count against health (rate limits, overload, server errors, timeouts, network, cut or
 * stalled streams, garbage) count, and so does `content_filter`: a model that refuses a share of a
 * task's prompts serves that task worse, even though it is not unhealthy. Failures caused by the
 * request or the account (`context_length`, `auth`, `bad_request`, `aborted`,
 * `prefill_unsupported`) would fare the same on any model and are left out entirely.
 */
export function countsAgainstModel(kind: ProviderErrorKind): boolean {
  return kind === 'content_filter' || isHealthFailureKind(kind);
}

function checkDuration(name: string, value: number | undefined, modelId: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(
      `${name} of an attempt on "${modelId}" must be a non-negative number, got ${String(value)}: ` +
        `pass the measured value or leave the field out.`,
    );
  }
  return value;
}

/**
 * Records one attempt, changing `state` in place (see `OptimizerState` for why).
 *
 * - Reliability: one attempt, failed or not, unless the failure's kind is not the model's doing
 *   (see {@link countsAgainstModel}); such an attempt is ignored altogether.
 * - Time to first token: whenever one was measured, failed attempts included (a stream cut after
 *   its first token still measured how fast the model starts).
 * - Total time and output speed: for answered attempts only, since a failed attempt's duration is
 *   not the time of an answer. Speed is output tokens over generation time (total less time to
 *   first token), summed over answers, and needs all three figures.
 *
 * Events may come out of order (late reports from other hosts): an event older than the state's
 * last update counts with the weight it would have had (see `evidence-decay.ts`). Throws a
 * `RangeError` for an unknown task type, a missing model id, a time that is not a finite number,
 * or a negative or non-numeric measurement.
 */
export function recordOutcome(state: OptimizerState, outcome: AttemptOutcome): void {
  const { modelId, taskType, now, ok } = outcome;
  checkEventKeys(modelId, taskType, now);
  const timeToFirstTokenMs = checkDuration('timeToFirstTokenMs', outcome.timeToFirstTokenMs, modelId);
  const totalMs = checkDuration('totalMs', outcome.totalMs, modelId);
  const outputTokens = checkDuration('outputTokens', outcome.outputTokens, modelId);
  if (!ok && outcome.errorKind !== undefined && !countsAgainstModel(outcome.errorKind)) return;

  const cell = cellFor(state, modelId, taskType);
  const reliability = cell.reliability;
  const weight = advanceReliability(reliability, now, state.halfLives.reliabilityMs);
  reliability.attempts += weight;
  if (!ok) reliability.errors += weight;

  const measuredTotal = ok ? totalMs : undefined;
  if (timeToFirstTokenMs === undefined && measuredTotal === undefined) return;
  const latency = cell.latency;
  const latencyWeight = advanceLatency(latency, now, state.halfLives.latencyMs);
  if (timeToFirstTokenMs !== undefined) addToSketch(latency.firstToken, timeToFirstTokenMs, latencyWeight);
  if (measuredTotal === undefined) return;
  addToSketch(latency.total, measuredTotal, latencyWeight);
  if (timeToFirstTokenMs === undefined || outputTokens === undefined || outputTokens <= 0) return;
  const generationMs = measuredTotal - timeToFirstTokenMs;
  if (!(generationMs > 0)) return;
  latency.outputTokens += outputTokens * latencyWeight;
  latency.generationMs += generationMs * latencyWeight;
  latency.throughputSamples += latencyWeight;
}
