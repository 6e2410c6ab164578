export {
  createOptimizerState,
  defaultHalfLives,
  optimizerStateVersion,
  type LatencyCounts,
  type OptimizerCell,
  type OptimizerHalfLives,
  type OptimizerOptions,
  type OptimizerState,
  type QualityCounts,
  type ReliabilityCounts,
} from './optimizer-state.ts';
export { recordOutcome, countsAgainstModel, type AttemptOutcome } from './record-outcome.ts';
export { recordQuality, type QualityObservation } from './record-quality.ts';
export {
  qualitySignalEvidence,
  safetyScreenOutcomes,
  type QualityEvidence,
  type QualitySignal,
  type SafetyScreenOutcome,
} from './quality-signal.ts';
export { statsView, observedStats, type ObservedStats } from './optimizer-stats-view.ts';
export { mergeOptimizerStates } from './merge-optimizer-states.ts';
export {
  serializeOptimizerState,
  deserializeOptimizerState,
  serializedOptimizerStateSchema,
  type SerializedOptimizerState,
} from './optimizer-serialization.ts';
export {
  createLatencySketch,
  addToSketch,
  sketchQuantile,
  sketchWeight,
  latencySketchRelativeAccuracy,
  type LatencySketch,
} from './latency-sketch.ts';
export { decayFactor } from './discount.ts';
