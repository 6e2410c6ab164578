import { sampleQualityPosterior } from './beta-sample.ts';
import type { ContenderTable } from './contender-table.ts';
import type { PreparedModel } from './prepared-registry.ts';
import { Mulberry32Random, streamState } from './seeded-random.ts';
import type { ObjectiveWeights } from '../registry/routing-policy.ts';

/**
 * Quality differences smaller than this are not stretched over the whole 0..1 component: two models
 * at 0.80 and 0.81 differ by 0.05 of the component, not by all of it.
 */
const qualitySpanFloor = 0.2;
/**
 * Added to worst-case costs before comparing them, so that free and nearly free models compare as
 * equals: a hundredth of a cent per request is noise next to any paid model.
 */
const costOffsetMicros = 100;
/**
 * Cost component of a model without a price: neutral-pessimistic. An unknown price may be high, so
 * it scores below the middle, but it may also be low, so not at the floor beside the dearest model.
 */
const unpricedCostComponent = 0.25;

/**
 * Fills every row's components and score.
 *
 * - Quality: a Thompson draw from the row's Beta posterior, or its posterior mean when `useMean`
 *   (elevated and crisis risk, where a lucky draw must not decide). Each model draws from its own
 *   random stream keyed by the seed and the model, so its draw does not depend on which other
 *   models qualified. The component places the draw between the lowest and highest draw of the
 *   table, over a span of at least {@link qualitySpanFloor}.
 * - Latency and cost: ratios to the best row, fastest time ÷ this time and lowest cost ÷ this cost,
 *   so a model twice as slow as the fastest scores 0.5 whatever the absolute times. Both spread over
 *   orders of magnitude, where a difference only means something relative to the best. An unpriced
 *   model's cost component is {@link unpricedCostComponent}.
 * - Score: the weighted sum times `1 − errorRate`, so a model failing a fifth of its attempts keeps
 *   four fifths of its score.
 *
 * None of the components depends on the weights, which is what keeps the creativity knob's effect
 * monotone (see `deriveObjectiveWeights`).
 */
export function scoreContenders(
  table: ContenderTable,
  models: readonly PreparedModel[],
  seed: number,
  useMean: boolean,
  weights: ObjectiveWeights,
): void {
  const count = table.count;
  const { quality, qualityMean, totalMs, costMicros } = table;
  const modelRandom = new Mulberry32Random(0);
  let qualityMax = -Infinity;
  let qualityMin = Infinity;
  let fastestMs = Infinity;
  let cheapestMicros = Infinity;
  for (let row = 0; row < count; row++) {
    let drawn = qualityMean[row]!;
    if (!useMean) {
      modelRandom.reseed(streamState(seed, models[table.modelIndex[row]!]!.randomKey));
      drawn = sampleQualityPosterior(modelRandom, drawn, table.qualityObservations[row]!);
    }
    quality[row] = drawn;
    if (drawn > qualityMax) qualityMax = drawn;
    if (drawn < qualityMin) qualityMin = drawn;
    if (totalMs[row]! < fastestMs) fastestMs = totalMs[row]!;
    // NaN (unpriced) compares false, so it never becomes the cheapest.
    if (costMicros[row]! < cheapestMicros) cheapestMicros = costMicros[row]!;
  }
  const qualitySpan = Math.max(qualityMax - qualityMin, qualitySpanFloor);
  const cheapest = cheapestMicros + costOffsetMicros;
  for (let row = 0; row < count; row++) {
    const cost = costMicros[row]!;
    const qualityComponent = 1 - (qualityMax - quality[row]!) / qualitySpan;
    const latencyComponent = fastestMs / totalMs[row]!;
    const costComponent = cost === cost ? cheapest / (cost + costOffsetMicros) : unpricedCostComponent;
    table.qualityComponent[row] = qualityComponent;
    table.latencyComponent[row] = latencyComponent;
    table.costComponent[row] = costComponent;
    const weighted =
      weights.quality * qualityComponent + weights.latency * latencyComponent + weights.cost * costComponent;
    table.score[row] = weighted * (1 - table.errorRate[row]!);
  }
}

/** Mixed into the seed so that the exploration draw of a model is independent of its ranking draw. */
const explorationStreamSalt = 0x2545f491;

/**
 * Fills `explorationScore` for every row: the score {@link scoreContenders} gives, but with the
 * quality drawn a second time from each model's posterior, independently of the ranking draw
 * (latency, cost and reliability are as scored). Exploration tries the best model under this second
 * draw other than the one ranked first: top-two Thompson sampling (Russo, "Simple Bayesian
 * algorithms for best-arm identification", COLT 2016). The exploration budget is thus spent on
 * models that might be best (uncertain or close), not spread evenly over models known to be poor,
 * while a model backed by few observations still draws widely and keeps being tried. Called only
 * on requests that explore (none or low risk), after `scoreContenders`.
 */
export function scoreExplorationDraws(
  table: ContenderTable,
  models: readonly PreparedModel[],
  seed: number,
  weights: ObjectiveWeights,
): void {
  const count = table.count;
  const { explorationScore, qualityMean } = table;
  const modelRandom = new Mulberry32Random(0);
  const explorationSeed = seed ^ explorationStreamSalt;
  let qualityMax = -Infinity;
  let qualityMin = Infinity;
  for (let row = 0; row < count; row++) {
    modelRandom.reseed(streamState(explorationSeed, models[table.modelIndex[row]!]!.randomKey));
    const drawn = sampleQualityPosterior(modelRandom, qualityMean[row]!, table.qualityObservations[row]!);
    explorationScore[row] = drawn;
    if (drawn > qualityMax) qualityMax = drawn;
    if (drawn < qualityMin) qualityMin = drawn;
  }
  const qualitySpan = Math.max(qualityMax - qualityMin, qualitySpanFloor);
  for (let row = 0; row < count; row++) {
    const qualityComponent = 1 - (qualityMax - explorationScore[row]!) / qualitySpan;
    const weighted =
      weights.quality * qualityComponent +
      weights.latency * table.latencyComponent[row]! +
      weights.cost * table.costComponent[row]!;
    explorationScore[row] = weighted * (1 - table.errorRate[row]!);
  }
}
