/**
 * @switchboard/provider-sim/testing: the fault server (real HTTP, every failure on demand, in the
 * OpenAI and Anthropic wire formats) and the adapter conformance suite every provider adapter runs.
 * Importing this entry point imports vitest (for the suite); the fault server alone lives in
 * `fault-server.ts` and needs nothing but Node.
 */
export {
  CANONICAL_ANSWER,
  CANONICAL_ANSWER_TOKENS,
  CANONICAL_JSON_ANSWER,
  CANONICAL_TOOL_ARGUMENTS,
} from '../canonical-answer.ts';
export { CONTENT_POLICY_MESSAGE, PREFILL_REJECTED_MESSAGE } from '../fault-error-responses.ts';
export {
  faultBehaviourCatalogue,
  parseFaultModel,
  type FaultBehaviourDescription,
} from '../fault-behaviour.ts';
export {
  startFaultServer,
  type FaultAttempt,
  type FaultServer,
  type FaultServerOptions,
} from './fault-server.ts';
export {
  collectStream,
  type CollectedStream,
  type FinishPart,
  type StreamPartListener,
} from './collect-stream.ts';
export { runAdapterConformanceSuite, type ConformanceOptions } from './conformance-suite.ts';
