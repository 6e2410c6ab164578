import { taskTypes, type TaskType } from '../context/therapeutic-context.ts';
import type { ModelSpec } from '../registry/model-spec.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';
import type { ModelTaskStats, StatsView } from '../selection/selection-types.ts';
import { priorObservationWeight } from '../selection/stats-from-priors.ts';
import { decayFactor } from './discount.ts';
import { sketchQuantile, sketchWeight } from './latency-sketch.ts';
import { findCell, type OptimizerCell, type OptimizerState } from './optimizer-state.ts';

/** What traffic alone says about one (model, task type) pair, every weight decayed to the time asked. */
export interface ObservedStats {
  modelId: string;
  taskType: TaskType;
  /** Discounted good quality evidence (the posterior's α without the prior). */
  qualitySuccesses: number;
  /** Discounted bad quality evidence (the posterior's β without the prior). */
  qualityFailures: number;
  /** Discounted attempts that count against the model. */
  attempts: number;
  /** Of those, failed. */
  errors: number;
  /** Discounted number of first-token times behind the two quantiles below. */
  timeToFirstTokenWeight: number;
  /** Undefined until a first token was timed. */
  timeToFirstTokenP50Ms: number | undefined;
  timeToFirstTokenP95Ms: number | undefined;
  /** Discounted number of answers behind the total-time quantiles. */
  totalWeight: number;
  totalP50Ms: number | undefined;
  totalP95Ms: number | undefined;
  /** Discounted answers behind the output speed. */
  throughputWeight: number;
  /** Output tokens per second while generating; undefined until measured. */
  outputTokensPerSecond: number | undefined;
}

/**
 * The observed figures of a pair at `now`, or `undefined` when nothing was recorded for it. For
 * dashboards, the snapshot the control plane publishes, and tests; selection reads `statsView`.
 */
export function observedStats(
  state: OptimizerState,
  modelId: string,
  taskType: TaskType,
  now: number,
): ObservedStats | undefined {
  const cell = findCell(state, modelId, taskType);
  return cell === undefined ? undefined : observedFromCell(state, cell, now);
}

function observedFromCell(state: OptimizerState, cell: OptimizerCell, now: number): ObservedStats {
  const { quality, reliability, latency } = cell;
  const { halfLives } = state;
  const qualityFactor = decayFactor(quality.updatedAt, now, halfLives.qualityMs);
  const reliabilityFactor = decayFactor(reliability.updatedAt, now, halfLives.reliabilityMs);
  const latencyFactor = decayFactor(latency.updatedAt, now, halfLives.latencyMs);
  return {
    modelId: cell.modelId,
    taskType: cell.taskType,
    qualitySuccesses: quality.successes * qualityFactor,
    qualityFailures: quality.failures * qualityFactor,
    attempts: reliability.attempts * reliabilityFactor,
    errors: reliability.errors * reliabilityFactor,
    timeToFirstTokenWeight: sketchWeight(latency.firstToken) * latencyFactor,
    timeToFirstTokenP50Ms: sketchQuantile(latency.firstToken, 0.5),
    timeToFirstTokenP95Ms: sketchQuantile(latency.firstToken, 0.95),
    totalWeight: sketchWeight(latency.total) * latencyFactor,
    totalP50Ms: sketchQuantile(latency.total, 0.5),
    totalP95Ms: sketchQuantile(latency.total, 0.95),
    throughputWeight: latency.throughputSamples * latencyFactor,
    outputTokensPerSecond:
      latency.throughputSamples > 0 && latency.generationMs > 0
        ? (latency.outputTokens * 1000) / latency.generationMs
        : undefined,
  };
}

/** `prior` and `observed` averaged, each weighed by the observations behind it. */
function blend(prior: number, observed: number | undefined, observedWeight: number): number {
  if (observed === undefined || !(observedWeight > 0)) return prior;
  return (prior * priorObservationWeight + observed * observedWeight) / (priorObservationWeight + observedWeight);
}

/**
 * The registry's priors for a pair with what traffic taught laid over them:
 *
 * - Quality: the Beta posterior Beta(α, β) with α = prior × w + successes and
 *   β = (1 − prior) × w + failures, where w = `priorObservationWeight` (4) and the evidence is
 *   decayed to `now`; `qualityMean` is α / (α + β) and `qualityObservations` α + β, which is what
 *   `select()` draws its Thompson sample from. Evidence that fades widens the posterior again, so a
 *   model that has not been used for a while is explored again.
 * - Latency quantiles and output speed: the prior and the observed value averaged, the prior
 *   weighing w observations and the observation its discounted sample count, so a single early
 *   measurement does not overturn the prior and a few dozen all but replace it.
 * - Error rate: discounted errors ÷ (discounted attempts + w): the prior says "no errors" with the
 *   weight of w attempts, so one early failure reads as 20 %, not 100 %.
 */
export function statsOfCell(
  state: OptimizerState,
  model: ModelSpec,
  taskType: TaskType,
  cell: OptimizerCell | undefined,
  now: number,
): ModelTaskStats {
  const priorQuality = model.qualityPriors.byTask[taskType] ?? model.qualityPriors.default;
  const latencyPriors = model.latencyPriors;
  if (cell === undefined) {
    return {
      qualityMean: priorQuality,
      qualityObservations: priorObservationWeight,
      timeToFirstTokenP50Ms: latencyPriors.timeToFirstTokenP50Ms,
      timeToFirstTokenP95Ms: latencyPriors.timeToFirstTokenP95Ms,
      outputTokensPerSecond: latencyPriors.outputTokensPerSecond,
      errorRate: 0,
    };
  }
  const observed = observedFromCell(state, cell, now);
  const alpha = priorQuality * priorObservationWeight + observed.qualitySuccesses;
  const beta = (1 - priorQuality) * priorObservationWeight + observed.qualityFailures;
  return {
    qualityMean: alpha / (alpha + beta),
    qualityObservations: alpha + beta,
    timeToFirstTokenP50Ms: blend(
      latencyPriors.timeToFirstTokenP50Ms,
      observed.timeToFirstTokenP50Ms,
      observed.timeToFirstTokenWeight,
    ),
    timeToFirstTokenP95Ms: blend(
      latencyPriors.timeToFirstTokenP95Ms,
      observed.timeToFirstTokenP95Ms,
      observed.timeToFirstTokenWeight,
    ),
    outputTokensPerSecond: blend(
      latencyPriors.outputTokensPerSecond,
      observed.outputTokensPerSecond,
      observed.throughputWeight,
    ),
    errorRate: observed.errors / (observed.attempts + priorObservationWeight),
  };
}

const modelIndexes = new WeakMap<RegistrySnapshot, ReadonlyMap<string, ModelSpec>>();

/** The snapshot's models by id (the first wins when an id repeats), built once per snapshot. */
function modelsOf(snapshot: RegistrySnapshot): ReadonlyMap<string, ModelSpec> {
  let byId = modelIndexes.get(snapshot);
  if (byId === undefined) {
    const index = new Map<string, ModelSpec>();
    for (const model of snapshot.models) if (!index.has(model.id)) index.set(model.id, model);
    byId = index;
    modelIndexes.set(snapshot, byId);
  }
  return byId;
}

/**
 * The `StatsView` selection scores with: registry priors where nothing was observed, the learned
 * posterior and measurements where something was (see {@link statsOfCell} for how the two
 * combine), all as of `now` (epoch milliseconds from the injected clock).
 *
 * Cheap to build: nothing is computed until `statsOf` asks, and each pair is computed once per
 * view and the result frozen. A view is a snapshot in time of a mutable state: build a new one after
 * recording more (per request, or per batch of events). Like `statsFromPriors`, asking for a model
 * the snapshot does not hold throws: the view must come from the snapshot selection runs on.
 */
export function statsView(state: OptimizerState, snapshot: RegistrySnapshot, now: number): StatsView {
  if (!Number.isFinite(now)) {
    throw new RangeError(`statsView needs the current time as epoch milliseconds, got ${String(now)}.`);
  }
  const modelsById = modelsOf(snapshot);
  const computed = new Map<TaskType, Map<string, ModelTaskStats>>();
  return {
    statsOf(modelId: string, taskType: TaskType): ModelTaskStats {
      let byModel = computed.get(taskType);
      const cached = byModel?.get(modelId);
      if (cached !== undefined) return cached;
      const model = modelsById.get(modelId);
      if (model === undefined || !taskTypes.includes(taskType)) {
        throw new RangeError(
          `No statistics for model "${modelId}" and task "${taskType}" in registry version ` +
            `${snapshot.version}: build the stats view from the snapshot you select against.`,
        );
      }
      const stats = Object.freeze(statsOfCell(state, model, taskType, findCell(state, modelId, taskType), now));
      if (byModel === undefined) {
        byModel = new Map();
        computed.set(taskType, byModel);
      }
      byModel.set(modelId, stats);
      return stats;
    },
  };
}
