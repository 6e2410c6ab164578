import { sampleQualityPosterior } from './beta-sample.ts';
import type { ContenderTable } from './contender-table.ts';
import type { PreparedModel } from './prepared-registry.ts';
import { saturatingComponent, type ScoringScales } from './scoring-scales.ts';
import { Mulberry32Random, streamState } from './seeded-random.ts';
import type { ObjectiveWeights } from '../registry/routing-policy.ts';

/**
 * Quality differences smaller than this are not stretched over the whole 0..1 component: two models
 * at 0.80 and 0.81 differ by 0.05 of the component, not by all of it.
 */
const qualitySpanFloor = 0.2;
/**
 * Cost component of a model without a price, at most: pessimistic, as if it cost three times the
 * cost reference. An unknown price may be high, so it scores below the middle, and never above a
 * priced contender of the same request (see `scoreContenders`).
 */
const unpricedCostComponent = 0.25;
/** An unpriced model is scored as if it cost this many times the dearest priced contender, when that scores lower. */
const unpricedCostFactor = 2;

/**
 * Fills every row's components and score.
 *
 * - Quality: the row's posterior mean. Ranking is exploitation: it orders models by what is known
 *   of them, so the order does not change from one request to the next by the luck of a random
 *   draw. Trying models that might be better is exploration, and it is spent only within the
 *   policy's budget (see `scoreExplorationDraws` and `rankContenders`). Drawing the ranking itself
 *   (plain Thompson sampling) would explore on every request, beyond any budget, and the routing
 *   benchmark measured the cost: a tenth of the oracle's utility. The component places the mean
 *   between the lowest and highest mean of the table, over a span of at least
 *   {@link qualitySpanFloor}.
 * - Latency and cost: absolute, reference ÷ (reference + amount) with the request's scales (see
 *   `scoringScales`): a model answering in the reference time, or costing the reference spend,
 *   keeps half the component. They used to be ratios to the best row (fastest ÷ this, cheapest ÷
 *   this), which made a model at $0.0002 lose half its cost component beside one at $0.0001, so a
 *   negligible sum outweighed a clearly better answer; the routing benchmark's optimiser then gave
 *   up quality that the money did not justify. An unpriced model scores on cost as if it cost
 *   {@link unpricedCostFactor} times the dearest priced contender, and never above
 *   {@link unpricedCostComponent}: an unknown price never beats a known one.
 * - Score: the weighted sum times `1 − errorRate`, so a model failing a fifth of its attempts keeps
 *   four fifths of its score.
 *
 * None of the components depends on the weights, which is what keeps the creativity knob's effect
 * monotone (see `deriveObjectiveWeights`).
 */
export function scoreContenders(
  table: ContenderTable,
  weights: ObjectiveWeights,
  scales: ScoringScales,
): void {
  const count = table.count;
  const { qualityMean, totalMs, costMicros } = table;
  const { costReferenceMicros, latencyReferenceMs } = scales;
  let qualityMax = -Infinity;
  let qualityMin = Infinity;
  let dearestMicros = 0;
  for (let row = 0; row < count; row++) {
    const mean = qualityMean[row]!;
    if (mean > qualityMax) qualityMax = mean;
    if (mean < qualityMin) qualityMin = mean;
    // NaN (unpriced) compares false, so it never becomes the dearest.
    if (costMicros[row]! > dearestMicros) dearestMicros = costMicros[row]!;
  }
  const unpricedComponent = Math.min(
    unpricedCostComponent,
    saturatingComponent(unpricedCostFactor * dearestMicros, costReferenceMicros),
  );
  const qualitySpan = Math.max(qualityMax - qualityMin, qualitySpanFloor);
  for (let row = 0; row < count; row++) {
    const cost = costMicros[row]!;
    const qualityComponent = 1 - (qualityMax - qualityMean[row]!) / qualitySpan;
    const latencyComponent = saturatingComponent(totalMs[row]!, latencyReferenceMs);
    const costComponent = cost === cost ? saturatingComponent(cost, costReferenceMicros) : unpricedComponent;
    table.qualityComponent[row] = qualityComponent;
    table.latencyComponent[row] = latencyComponent;
    table.costComponent[row] = costComponent;
    const weighted =
      weights.quality * qualityComponent + weights.latency * latencyComponent + weights.cost * costComponent;
    table.score[row] = weighted * (1 - table.errorRate[row]!);
  }
}

/** Mixed into the seed so that the exploration draws do not repeat the exploration coin's numbers. */
const explorationStreamSalt = 0x2545f491;

/**
 * Fills `explorationScore` for every row: the score {@link scoreContenders} gives, but with the
 * quality drawn from each model's Beta posterior (latency, cost and reliability as scored): a
 * Thompson sample. Each model draws from its own random stream keyed by the seed and the model, so
 * its draw does not depend on which other models qualified. Called only on the requests the
 * exploration budget lets a draw decide (none or low risk, with probability `explorationRate`);
 * the model that scores highest there is tried, and the request counts as exploratory only when it
 * is not the model ranked first (see `rankContenders`). So the budget is spent on models that might
 * be best (uncertain or close), not spread evenly over models known to be poor, a model backed by
 * few observations still draws widely and keeps being tried, and once one model is clearly best
 * the draws agree with the ranking and exploration falls below the budget by itself.
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
