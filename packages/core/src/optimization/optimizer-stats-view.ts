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

/**
 * How many observations the prior's tail shape (p95 ÷ p50) is worth: about one observation in
 * the tail. A p95 read from a handful of samples is little more than their maximum, and would make
 * a model tried a few times look slow (or fast) on the strength of one sample.
 */
const tailPriorWeight = 20;

/**
 * p95 ÷ p50 of the time to first token: the prior's ratio and the observed one averaged, the
 * prior weighing {@link tailPriorWeight} observations. The centre of a distribution is learned
 * from a few samples, its tail needs a few dozen.
 */
function tailRatio(
  priors: ModelSpec['latencyPriors'],
  sketch: OptimizerCell['latency']['firstToken'],
  weight: number,
): number {
  const priorRatio = Math.max(priors.timeToFirstTokenP95Ms / priors.timeToFirstTokenP50Ms, 1);
  const observedP50 = sketchQuantile(sketch, 0.5);
  const observedP95 = sketchQuantile(sketch, 0.95);
  if (observedP50 === undefined || observedP95 === undefined || !(weight > 0)) return priorRatio;
  const observedRatio = Math.max(observedP95 / Math.max(observedP50, 1e-9), 1);
  return (priorRatio * tailPriorWeight + observedRatio * weight) / (tailPriorWeight + weight);
}

/** `prior` and `observed` averaged, each weighed by the observations behind it. */
function blend(prior: number, observed: number | undefined, observedWeight: number): number {
  if (observed === undefined || !(observedWeight > 0)) return prior;
  return (
    (prior * priorObservationWeight + observed * observedWeight) / (priorObservationWeight + observedWeight)
  );
}

/**
 * Evidence below this many observations, recent or older, is too little to call a change on: a
 * handful of signals disagree with any estimate now and then.
 */
const changeMinimumEvidence = 5;
/**
 * How many standard deviations apart the recent and the older evidence's means must be for a
 * change to be called. A false alarm only costs a little steadiness for a few minutes, a missed
 * change costs every request until the long memory catches up. With the variance measured from the
 * signals' weights (see `qualityShift`), 2.5 misreads a steady model as changed in a few reads in a
 * hundred at most (the unit tests hold it under 3 %).
 */
const changeThreshold = 2.5;

/**
 * The recent and the older quality evidence of one cell compared: the difference of their means
 * (recent less older) and its variance, or `undefined` when either holds too little evidence. The
 * older evidence is the long memory less the short one: what weighs in the long memory but has
 * faded from the short one, so the two are nearly independent.
 *
 * Each mean is a weighted mean of signals, so its variance is p (1 − p) Σ w² ÷ (Σ w)² with p the
 * pooled mean (see `QualityCounts.squaredWeights`). Counting every pseudo-observation as an
 * independent draw instead (p (1 − p) ÷ Σ w) made quarter-weight `continued` signals look several
 * times noisier than they are, so in the routing benchmark a drop of 0.3 in a model's true quality,
 * told mostly by players' reactions, was never called; and it made a `missed` screen look like
 * three independent failures. For the older evidence Σ w² is taken as the long memory's less the
 * short one's, an upper bound (each event weighs at least as much in the long memory as in the
 * short one), so the test errs towards steadiness.
 */
function qualityShift(
  quality: OptimizerCell['quality'],
): { difference: number; variance: number } | undefined {
  const recentSuccesses = quality.recentSuccesses;
  const recentEvidence = recentSuccesses + quality.recentFailures;
  const olderSuccesses = Math.max(quality.successes - recentSuccesses, 0);
  const olderEvidence = Math.max(quality.successes + quality.failures - recentEvidence, 0);
  if (!(recentEvidence >= changeMinimumEvidence && olderEvidence >= changeMinimumEvidence)) return undefined;
  const recentSquares = quality.recentSquaredWeights;
  const olderSquares = Math.max(quality.squaredWeights - recentSquares, 0);
  const pooled = (recentSuccesses + olderSuccesses) / (recentEvidence + olderEvidence);
  const variance =
    pooled * (1 - pooled) * (recentSquares / recentEvidence ** 2 + olderSquares / olderEvidence ** 2);
  if (!(variance > 0)) return undefined;
  return { difference: recentSuccesses / recentEvidence - olderSuccesses / olderEvidence, variance };
}

/**
 * One cell's own shift (recent mean less older mean) when its recent and older evidence lie more
 * than {@link changeThreshold} standard deviations apart, else `undefined`.
 */
function cellQualityShift(quality: OptimizerCell['quality']): number | undefined {
  const shift = qualityShift(quality);
  return shift !== undefined && shift.difference ** 2 > changeThreshold ** 2 * shift.variance
    ? shift.difference
    : undefined;
}

/**
 * A model's quality shift across its tasks, when it changed: the cells' shifts averaged, each
 * weighed by the inverse of its variance, when that average lies more than {@link changeThreshold}
 * standard deviations from zero; else `undefined`. A provider that swaps the deployment behind a
 * model name changes the model on every task at once, so the tasks' evidence together notices it
 * long before any one task's does, and the average says by how much, which is the best guess for
 * a task that has too little recent evidence to tell (see `statsOfCell`).
 *
 * Only tasks with news count: a cell's memories are compared as of its last update, so a task
 * last used an hour ago compares the two halves of that old hour, and its steady look then would
 * outweigh the tasks that see the change now. A cell whose recent evidence, faded to `now`, is
 * below {@link changeMinimumEvidence} is left out.
 */
function modelQualityShift(state: OptimizerState, modelId: string, now: number): number | undefined {
  let weightedDifferences = 0;
  let precision = 0;
  const recentHalfLife = state.halfLives.recentQualityMs;
  for (const byModel of state.cells.values()) {
    const cell = byModel.get(modelId);
    if (cell === undefined) continue;
    const { quality } = cell;
    const recentNow =
      (quality.recentSuccesses + quality.recentFailures) *
      decayFactor(quality.updatedAt, now, recentHalfLife);
    if (recentNow < changeMinimumEvidence) continue;
    const shift = qualityShift(quality);
    if (shift === undefined) continue;
    weightedDifferences += shift.difference / shift.variance;
    precision += 1 / shift.variance;
  }
  // Mean shift D = Σ d/v ÷ Σ 1/v with variance 1 ÷ Σ 1/v: D² > z² · variance, rearranged.
  return precision > 0 && weightedDifferences ** 2 > changeThreshold ** 2 * precision
    ? weightedDifferences / precision
    : undefined;
}

/** Posterior means are kept this far from 0 and 1, so a shifted belief stays a proper Beta prior. */
const shiftedMeanBound = 0.01;

/** `mean + shift`, kept within ({@link shiftedMeanBound}, 1 − {@link shiftedMeanBound}). */
function shiftedMean(mean: number, shift: number): number {
  return Math.min(1 - shiftedMeanBound, Math.max(shiftedMeanBound, mean + shift));
}

/**
 * What was believed of a cell before its recent evidence: the posterior mean of the prior (worth
 * `priorObservationWeight`) and the older evidence (the long memory less the short one).
 */
function olderPosteriorMean(priorQuality: number, quality: OptimizerCell['quality']): number {
  const olderSuccesses = Math.max(quality.successes - quality.recentSuccesses, 0);
  const olderFailures = Math.max(quality.failures - quality.recentFailures, 0);
  return (
    (priorQuality * priorObservationWeight + olderSuccesses) /
    (priorObservationWeight + olderSuccesses + olderFailures)
  );
}

/**
 * The registry's priors for a pair with what traffic taught laid over them, with w =
 * `priorObservationWeight` (4):
 *
 * - Quality: the Beta posterior with α = prior × w + successes and β = (1 − prior) × w + failures
 *   (discounted evidence as of its last update): `qualityMean` is α / (α + β). Its
 *   `qualityObservations`, which sets how widely `select()` draws its Thompson sample, is w plus the
 *   evidence decayed further to `now`. So time without news makes the optimiser less sure of a
 *   model, and it tries the model again, but not more optimistic about it: a model that degraded and
 *   was dropped is not handed traffic back merely because its bad evidence aged (quality treated
 *   as a random walk, not as drifting back to the registry's guess).
 * - A change: when the short memory (`recentQualityMs`) clearly disagrees with the older evidence,
 *   across the model's tasks together (`modelShift`, see `modelQualityShift`) or on this task, the
 *   model changed, and the posterior is rebuilt so that re-learning takes minutes of traffic rather
 *   than hours: what was believed before (the prior with the older evidence) moved by the shift
 *   measured, as a prior worth w, plus the short memory's evidence. A task the model has little
 *   recent evidence on thus moves with the rest of the model: after a provider swapped a good
 *   model for a worse one, its rarely used tasks are believed worse too, not handed back to the
 *   registry's guess, which the old evidence had corrected and which may well be higher still.
 * - Median time to first token and output speed: the prior and the observed value averaged, the
 *   prior weighing w observations and the observation its discounted sample count as of its last
 *   update, so a single early measurement does not overturn the prior, a few dozen all but replace
 *   it, and the last measurements stay the estimate until new ones arrive.
 * - p95 time to first token: that median times a tail ratio (p95 ÷ p50) learned the same way but
 *   with the prior's ratio worth 20 observations (see `tailRatio`).
 * - Error rate: errors ÷ (attempts + w), both decayed to `now`: the prior says "no errors" with the
 *   weight of w attempts, so one early failure reads as 20 %, not 100 %, and a burst of failures is
 *   forgiven as it ages, since failures are mostly transient (outages end; the circuit breaker
 *   handles the acute ones).
 */
export function statsOfCell(
  state: OptimizerState,
  model: ModelSpec,
  taskType: TaskType,
  cell: OptimizerCell | undefined,
  now: number,
  modelShift: number | undefined = undefined,
): ModelTaskStats {
  const priorQuality = model.qualityPriors.byTask[taskType] ?? model.qualityPriors.default;
  const latencyPriors = model.latencyPriors;
  if (cell === undefined) {
    return {
      qualityMean: modelShift === undefined ? priorQuality : shiftedMean(priorQuality, modelShift),
      qualityObservations: priorObservationWeight,
      timeToFirstTokenP50Ms: latencyPriors.timeToFirstTokenP50Ms,
      timeToFirstTokenP95Ms: latencyPriors.timeToFirstTokenP95Ms,
      outputTokensPerSecond: latencyPriors.outputTokensPerSecond,
      errorRate: 0,
    };
  }
  const { quality, reliability, latency } = cell;
  const { halfLives } = state;
  // Without a change, quality and latency estimates stay where the last evidence put them; only
  // the confidence in quality fades. Reliability fades back to the prior's "no errors".
  const shift = cellQualityShift(quality) ?? modelShift;
  let alpha: number;
  let beta: number;
  let evidence: number;
  if (shift === undefined) {
    alpha = priorQuality * priorObservationWeight + quality.successes;
    beta = (1 - priorQuality) * priorObservationWeight + quality.failures;
    evidence =
      (quality.successes + quality.failures) * decayFactor(quality.updatedAt, now, halfLives.qualityMs);
  } else {
    // The short memory as of now: a task with no news for a while has little recent evidence
    // left, and is judged by what was believed before, moved by the shift.
    const recentFactor = decayFactor(quality.updatedAt, now, halfLives.recentQualityMs);
    const center = shiftedMean(olderPosteriorMean(priorQuality, quality), shift);
    alpha = center * priorObservationWeight + quality.recentSuccesses * recentFactor;
    beta = (1 - center) * priorObservationWeight + quality.recentFailures * recentFactor;
    evidence = (quality.recentSuccesses + quality.recentFailures) * recentFactor;
  }
  const reliabilityFactor = decayFactor(reliability.updatedAt, now, halfLives.reliabilityMs);
  const firstTokenWeight = sketchWeight(latency.firstToken);
  const firstTokenP50 = blend(
    latencyPriors.timeToFirstTokenP50Ms,
    sketchQuantile(latency.firstToken, 0.5),
    firstTokenWeight,
  );
  return {
    qualityMean: alpha / (alpha + beta),
    qualityObservations: priorObservationWeight + evidence,
    timeToFirstTokenP50Ms: firstTokenP50,
    timeToFirstTokenP95Ms: firstTokenP50 * tailRatio(latencyPriors, latency.firstToken, firstTokenWeight),
    outputTokensPerSecond: blend(
      latencyPriors.outputTokensPerSecond,
      latency.generationMs > 0 ? (latency.outputTokens * 1000) / latency.generationMs : undefined,
      latency.throughputSamples,
    ),
    errorRate:
      (reliability.errors * reliabilityFactor) /
      (reliability.attempts * reliabilityFactor + priorObservationWeight),
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
  const modelShifts = new Map<string, number | undefined>();
  const modelShift = (modelId: string): number | undefined => {
    if (!modelShifts.has(modelId)) modelShifts.set(modelId, modelQualityShift(state, modelId, now));
    return modelShifts.get(modelId);
  };
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
      const cell = findCell(state, modelId, taskType);
      const stats = Object.freeze(statsOfCell(state, model, taskType, cell, now, modelShift(modelId)));
      if (byModel === undefined) {
        byModel = new Map();
        computed.set(taskType, byModel);
      }
      byModel.set(modelId, stats);
      return stats;
    },
  };
}
