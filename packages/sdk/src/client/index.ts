/**
 * The client a game service imports: `createModelClient` and the parts it is built from, each
 * usable on its own (telemetry sinks, session stores, registry sources, the decision cache).
 */
export { createModelClient } from './model-client.ts';
export type {
  DecisionFeedback,
  ModelClient,
  ModelClientCloseOptions,
  ModelClientDecisionCacheOptions,
  ModelClientOptions,
  ModelClientRegistry,
  ModelClientRequest,
  ModelClientResponse,
  ModelClientStream,
  ProviderAdapterFactory,
} from './model-client-types.ts';
export * from './telemetry/index.ts';
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
