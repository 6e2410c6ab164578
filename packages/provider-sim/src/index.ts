/**
 * @switchboard/provider-sim: simulated chat models that run in process (the embedded default and
 * the engine's test double). The fault-injecting HTTP server and the adapter conformance suite live
 * in the `@switchboard/provider-sim/testing` entry point.
 */
export { createSimulatedAdapter, type SimulatedAdapterOptions } from './simulated-adapter.ts';
export { createSimulatedAdapterForModel, type SimulatedModelSpec } from './simulated-adapter-for-model.ts';
export {
  simulatedProfiles,
  isSimulatedProfileName,
  type SimulatedProfile,
  type SimulatedProfileName,
} from './simulated-profiles.ts';
export { createVirtualClock, realClock, type SimulatedClock, type VirtualClock } from './simulated-clock.ts';
export { createSeededRandom, type RandomSource } from './seeded-random.ts';
export {
  composeSimulatedText,
  detectTextKind,
  type SimulatedTextKind,
  type SimulatedTextStyle,
} from './simulated-text.ts';
export { splitIntoTokens, estimateTokensFromCharacters } from './token-chunks.ts';
export {
  faultBehaviourCatalogue,
  parseFaultModel,
  type FaultBehaviour,
  type FaultBehaviourDescription,
  type ParsedFaultModel,
} from './fault-behaviour.ts';
