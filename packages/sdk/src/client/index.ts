/**
 * The client a game service imports: `createModelClient` and the parts it is built from, each
 * usable on its own (telemetry sinks, session stores, registry sources, the decision cache).
 */
export { createModelClient } from './model-client.ts';
export type {
  DecisionFeedback,
  DecisionSignal,
  ModelClient,
  ModelClientCloseOptions,
  ModelClientDecisionCacheOptions,
  ModelClientLearningOptions,
  ModelClientOptions,
  ModelClientRegistry,
  ModelClientRequest,
  ModelClientResponse,
  ModelClientStream,
  ProviderAdapterFactory,
} from './model-client-types.ts';
export * from './telemetry/index.ts';
export {
  telemetryAttempt,
  telemetryOfFailure,
  telemetryOfResult,
  type ExecutionTelemetryFacts,
} from './execution-telemetry.ts';
export {
  gameSignals,
  isGameSignal,
  qualitySignalOfGameSignal,
  type GameSignal,
} from './learning/game-signal.ts';
export {
  attemptOutcomesOf,
  attemptOutcomesOfEvent,
  type LearnableTelemetry,
} from './learning/telemetry-outcomes.ts';
export * from './session/index.ts';
export * from './registry-source/index.ts';
export {
  createDecisionCache,
  isExploratoryDecision,
  type DecisionCache,
  type DecisionCacheOptions,
  type DecisionCacheStats,
} from './decision-cache.ts';
export {
  decisionCacheKey,
  representativeSelection,
  type RepresentativeSelection,
} from './decision-cache-key.ts';
export { systemClock, type ClientClock } from './client-clock.ts';
export type { RetryBackoff } from './retry-delay.ts';
