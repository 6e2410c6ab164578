export * from './selection-types.ts';
export { select } from './select.ts';
export { resolvePolicy } from './resolve-policy.ts';
export { statsFromPriors, priorObservationWeight } from './stats-from-priors.ts';
export { allHealthy, healthFromMap } from './health-views.ts';
export { deriveObjectiveWeights } from './objective-weights.ts';
export { samplingTemperature } from './sampling-temperature.ts';
export { createSeededRandom, type SeededRandom } from './seeded-random.ts';
export { sampleBeta, sampleGamma, sampleQualityPosterior } from './beta-sample.ts';
export {
  defaultCostReferenceMicros,
  defaultLatencyReferenceMs,
  saturatingComponent,
  scoringScales,
  type ScoringScales,
} from './scoring-scales.ts';
