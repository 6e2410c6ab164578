/**
 * The execution engine: runs a selection decision against provider adapters with deadlines,
 * retries, failover, hedging, mid-stream continuation, circuit breakers and the crisis fail-safe.
 */
export { execute } from './execute.ts';
export type {
  AdaptiveFirstTokenOptions,
  EngineAdapters,
  ExecuteOptions,
  ReselectRequest,
  RetryOptions,
} from './execute-options.ts';
export type {
  AttemptOutcome,
  AttemptRecord,
  AttemptTrigger,
  ContinuationMode,
  DeadlineName,
  EngineExecution,
  EnginePart,
  ExecutionCost,
  ExecutionResult,
  FallbackKind,
  SkipReason,
  SkippedCandidate,
} from './execution-result.ts';
export type { EngineEvent, EngineEventListener } from './engine-event.ts';
export {
  ExecutionError,
  isExecutionError,
  type ExecutionErrorDetails,
  type ExecutionErrorKind,
} from './execution-error.ts';
export {
  engineClockFromSleep,
  realEngineClock,
  sleepOn,
  type EngineClock,
  type SleepClock,
} from './engine-clock.ts';
export {
  createInMemoryCircuitRegistry,
  sharedCircuitRegistry,
  type CircuitRegistry,
  type InMemoryCircuitRegistry,
  type InMemoryCircuitRegistryOptions,
} from './circuit-registry.ts';
export {
  defaultRoutingPolicy,
  engineRegistryFromSnapshot,
  engineRegistryOf,
  type EngineRegistry,
} from './engine-registry.ts';
export { crisisFallbackText, defaultCrisisFallback, type CrisisFallback } from './crisis-fallback.ts';
export { failureStep, type FailureFacts, type FailureStep } from './failure-step.ts';
export { attemptSpacing, earliestNextAttempt } from './attempt-spacing.ts';
export {
  attemptWorstCaseMicros,
  type AttemptAdmission,
  type AttemptAdmissionHook,
  type AttemptAdmissionRequest,
  type AttemptAdmitted,
  type AttemptCharge,
  type AttemptRefused,
} from './attempt-admission.ts';
export {
  createInMemoryBudgetGuard,
  type BudgetGuardState,
  type InMemoryBudgetGuard,
  type InMemoryBudgetGuardOptions,
} from './in-memory-budget-guard.ts';
