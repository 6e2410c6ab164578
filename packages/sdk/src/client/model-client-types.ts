import type {
  BudgetView,
  ChatMessage,
  ChatModelAdapterV1,
  FinishReason,
  ModelSpec,
  OptimizerHalfLives,
  ProviderSpec,
  QualitySignal,
  RegistrySnapshot,
  RiskLevel,
  SafetyScreenOutcome,
  SerializedOptimizerState,
  TaskType,
  TherapeuticContextInput,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from '@switchboard/core';
import type {
  AttemptAdmissionHook,
  CrisisFallback,
  EngineClock,
  EngineEventListener,
  EnginePart,
  ExecutionCost,
  ExecutionResult,
  FallbackKind,
  InMemoryCircuitRegistry,
  RetryOptions,
} from '../engine/index.ts';
import type { DecisionCacheOptions } from './decision-cache.ts';
import type { GameSignal } from './learning/game-signal.ts';
import type { RegistrySource } from './registry-source/registry-source.ts';
import type { SessionStore } from './session/session-store.ts';
import type { TelemetryCloseOptions, TelemetrySink } from './telemetry/telemetry-sink.ts';

/**
 * Builds the adapter of one model from its provider's registry entry, e.g.
 * `(provider, model) => createOpenAICompatibleAdapter({ ...provider, model })`. It runs once per
 * model and registry snapshot; an exception (a missing API key) leaves that model without an
 * adapter, so the engine passes it over instead of failing the request.
 */
export type ProviderAdapterFactory = (provider: ProviderSpec, model: ModelSpec) => ChatModelAdapterV1;

/** Where the client's registry comes from. */
export type ModelClientRegistry =
  /** Any source: `createControlPlaneRegistrySource(...)`, `createFileRegistrySource(...)`, your own. */
  | RegistrySource
  /** A registry file (YAML or JSON), loaded once or watched. */
  | { file: string; watch?: boolean | undefined; mergeWithDefaults?: boolean | undefined }
  /** A fixed snapshot, e.g. core's `defaultRegistrySnapshot()`. */
  | { snapshot: RegistrySnapshot };

/** How the client caches decisions (see `DecisionCache` for what is safe to cache and why). */
export interface ModelClientDecisionCacheOptions extends DecisionCacheOptions {
  /**
   * Also reuse rankings made at none and low risk. Core ranks those by a Thompson draw of each
   * model's quality, so reusing one freezes that draw for every request with the same signature
   * until the cache is invalidated, and traffic stops spreading between models of similar quality.
   * Default `false`: only deterministic rankings (elevated and crisis risk) are reused.
   */
  reuseSampledRankings?: boolean | undefined;
}

/** A player's or game's judgement of an answer, as `feedback()` passes it on. */
export interface DecisionFeedback {
  decisionId: string;
  /** 0 (bad) to 1 (excellent). */
  score: number;
  /** The model that answered; `undefined` when a fallback did or nothing did. */
  modelId: string | undefined;
  taskType: TaskType;
  riskLevel: RiskLevel;
  policyName: string;
  snapshotVersion: number;
  /** When the feedback was given, on the client's clock. */
  at: number;
}

/** A quality signal about an earlier answer, as `signal()` and `screenOutcome()` pass it on. */
export interface DecisionSignal extends Omit<DecisionFeedback, 'score'> {
  /** Core's quality signal: a game signal (`continued`, ...) or a safety screen's outcome. */
  signal: QualitySignal;
}

/**
 * How the client learns from its own traffic (core's optimiser). Every attempt (time to first token,
 * duration, output speed, errors that are the model's doing) and every quality signal (`feedback`,
 * `signal`, `screenOutcome`) updates statistics per (model, task type) that `select()` scores with
 * instead of the registry's priors alone: a model that starts failing, slows down or gets poor
 * feedback loses traffic at none and low risk (Thompson sampling and the policy's exploration
 * budget), and ranks lower by its posterior mean at elevated and crisis risk, where nothing is ever
 * explored.
 */
export interface ModelClientLearningOptions {
  /** How fast evidence fades; keep them equal to the control plane's to use its fleet state. Default: core's. */
  halfLives?: Partial<OptimizerHalfLives> | undefined;
  /**
   * Lay the fleet's statistics, which the control plane learns from every host's telemetry and the
   * registry source fetches (`createControlPlaneRegistrySource`), under this client's own. Default `true`
   * (it has effect only with a source that offers them).
   */
  fleet?: boolean | undefined;
  /**
   * Whether this client's telemetry reaches the control plane whose fleet state it adopts, so that
   * the fleet state already holds this client's attempts (see `ClientLearning` for how they are then
   * not counted twice). Default: `true` when a telemetry sink is configured.
   */
  fleetIncludesOwnAttempts?: boolean | undefined;
}

/** Options of `createModelClient`. Only `registry` and `providers` are required. */
export interface ModelClientOptions {
  registry: ModelClientRegistry;
  /**
   * Adapter factories by provider id (`openai`, `sim`, ...) or, failing that, by provider kind
   * (`openai-compatible`, `anthropic`, `sim`), so one factory can serve every provider of a kind.
   */
  providers: Readonly<Record<string, ProviderAdapterFactory>>;
  /** Where sessions live. Default: an in-memory store (10,000 sessions, 24 hours). */
  sessionStore?: SessionStore | undefined;
  /** Where telemetry goes, e.g. `createHttpTelemetrySink(...)`. Default: none. */
  telemetry?: TelemetrySink | undefined;
  /** Time and timers for the engine, sessions and telemetry. Default: real time. */
  clock?: EngineClock | undefined;
  /** Uniform numbers in [0, 1): selection seeds and backoff jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
  /** Makes decision ids and telemetry event ids. Default `crypto.randomUUID()`. */
  generateId?: (() => string) | undefined;
  /** The circuit breakers selection reads and the engine feeds. Default: one registry per client. */
  circuits?: InMemoryCircuitRegistry | undefined;
  /** Decision cache settings, or `false` to select afresh for every request. Default: on. */
  decisionCache?: ModelClientDecisionCacheOptions | false | undefined;
  /**
   * The largest prompt a session request sends, in tokens: older turns beyond it give way to the
   * session's summary. Bounds cost per turn and lets models with smaller windows serve long
   * sessions. Requests that pass `messages` are sent whole (fitted only to each model's window).
   * Default 16,384.
   */
  maxPromptTokens?: number | undefined;
  /** Summarises dropped turns for the marker that replaces them (see core's `fitToWindow`). */
  summarise?: ((dropped: ChatMessage[]) => string) | undefined;
  /** The safe message for a player at crisis risk when every model fails. Default: the engine's. */
  crisisFallback?: CrisisFallback | undefined;
  /** Most attempts per request. Default: the engine's (6). */
  maxAttempts?: number | undefined;
  /**
   * A budget guard asked before every attempt (see the engine's `AttemptAdmissionHook`), e.g.
   * `createInMemoryBudgetGuard({ limitMicros: 5_000_000, period: 'day' }).admitAttempt`. Default: none.
   */
  admitAttempt?: AttemptAdmissionHook | undefined;
  retry?: RetryOptions | undefined;
  /** Receives the engine's events (no message content). */
  onEvent?: EngineEventListener | undefined;
  /** Receives each `feedback()` call, e.g. to forward it to the control plane. */
  onFeedback?: ((feedback: DecisionFeedback) => void) | undefined;
  /** Receives each `signal()` and `screenOutcome()` call. */
  onSignal?: ((signal: DecisionSignal) => void) | undefined;
  /**
   * Learning from traffic and quality signals (see {@link ModelClientLearningOptions}), or `false`
   * to select from the registry's priors only, as every request did before. Default: on.
   */
  learning?: ModelClientLearningOptions | false | undefined;
  /** Told about configuration problems (a model without a usable adapter). Default: `console.warn`. */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * One request. Either `messages` (the whole conversation, kept by the caller) or `sessionId` with
 * `userMessage` (the client keeps the conversation: it reads the session, adds the message, and
 * stores the answer).
 */
export interface ModelClientRequest {
  messages?: ChatMessage[] | undefined;
  sessionId?: string | undefined;
  /** The player's new message, in session mode. */
  userMessage?: string | undefined;
  /** Pin the new message: a disclosure every later model must see, however small its window. */
  pinUserMessage?: boolean | undefined;
  /** The session's system prompt or persona; set on a new session, replaces the old one when given. */
  systemPrompt?: string | undefined;
  /** The therapeutic context (parsed with core's `parseTherapeuticContext`; defaults apply). */
  context?: TherapeuticContextInput | undefined;
  maxOutputTokens?: number | undefined;
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  responseFormat?: 'text' | 'json' | undefined;
  stop?: string[] | undefined;
  /** A model id to put first (failover still follows the ranking). */
  pinnedModelId?: string | undefined;
  /** The routing policy to apply; default: the one for the task type. */
  policyName?: string | undefined;
  /** The whole request must end within this many milliseconds. Default: the context's latency budget, else the policy's. */
  deadlineMs?: number | undefined;
  /** Budget facts for selection. Requests with a budget are never served from the decision cache. */
  budget?: BudgetView | undefined;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** The answer to a request. */
export interface ModelClientResponse {
  /** Refer to the answer with this in `feedback()`; telemetry carries it too. */
  decisionId: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The model whose finish ended the answer; `undefined` when the safe message answered. */
  answeredBy: string | undefined;
  fallback: FallbackKind | undefined;
  /** With the safe message: where the player can get help, for a game that renders it itself. */
  crisisResources: string[] | undefined;
  usage: Usage;
  cost: ExecutionCost;
  /** Everything the engine reports: decision, attempts, skipped candidates, timings. */
  result: ExecutionResult;
}

/**
 * A streaming request. Iterate it (once) for the parts as they arrive; `response` resolves with
 * the whole answer once the session has been saved and telemetry emitted, and rejects with the
 * engine's `ExecutionError` when no answer could be produced (the rejection is marked handled, so
 * ignoring it is safe). Leaving the loop early, `abort()`, or the request's `signal` cancels it.
 */
export interface ModelClientStream extends AsyncIterable<EnginePart> {
  readonly decisionId: string;
  readonly response: Promise<ModelClientResponse>;
  abort(): void;
}

/** How long `close()` may take. */
export type ModelClientCloseOptions = TelemetryCloseOptions;

/** The client a game service imports: selection, execution, sessions, telemetry in one object. */
export interface ModelClient {
  /** Answers a request; rejects with an `ExecutionError` when no answer could be produced. */
  chat(request: ModelClientRequest): Promise<ModelClientResponse>;
  /** Answers a request as a stream of parts. */
  stream(request: ModelClientRequest): ModelClientStream;
  /**
   * Records a judgement (0 to 1) of an earlier answer. Returns `false` when the decision is not
   * among the recent ones this client remembers. Throws a `RangeError` for a score outside 0..1.
   */
  feedback(decisionId: string, score: number): boolean;
  /**
   * Records what the player did after an earlier answer: `continued` (read it and played on),
   * `regenerated` (asked for it to be written again) or `abandoned` (left the scene right after it).
   * Each is weaker evidence than a score; see `GameSignal` for what each one is worth. Returns `false`
   * when the decision is not among the recent ones this client remembers. Throws a `RangeError` for
   * another value.
   */
  signal(decisionId: string, signal: GameSignal): boolean;
  /**
   * Records how a `safety_screening` answer's verdict compared with what was later known: `passed`
   * (benign text let through), `flagged-correctly`, `missed` (real risk let through: weighs three bad
   * observations) or `false-alarm`. Returns `false` for a decision this client does not remember;
   * throws a `RangeError` for another outcome or a decision of another task type.
   */
  screenOutcome(decisionId: string, outcome: SafetyScreenOutcome): boolean;
  /**
   * What selection scores with now, as core's serialised optimiser state (fleet and local evidence
   * together); `undefined` when learning is off. For dashboards and tests: read it with core's
   * `deserializeOptimizerState` and `observedStats`.
   */
  learnedState(): SerializedOptimizerState | undefined;
  /** The registry snapshot requests are selected against now. */
  snapshot(): RegistrySnapshot;
  /** Drops every cached decision, for a host that learned of a change the client cannot see. */
  invalidateDecisions(): void;
  /**
   * Stops taking requests, waits for those in flight, flushes and closes telemetry (within
   * `timeoutMs`), and closes the registry source. The client owns the sink and the source it was
   * given.
   */
  close(options?: ModelClientCloseOptions): Promise<void>;
}
