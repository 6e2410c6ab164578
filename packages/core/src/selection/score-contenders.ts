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
