import {
  isHighRisk,
  parseTherapeuticContext,
  select,
  statsFromPriors,
  type BudgetView,
  type ChatMessage,
  type ChatModelAdapterV1,
  type ChatRequest,
  type Decision,
  type ModelSpec,
  type QualitySignal,
  type RegistrySnapshot,
  type SafetyScreenOutcome,
  type SelectionRequest,
  type SerializedOptimizerState,
  type StatsView,
  type TherapeuticContext,
  type Transcript,
} from '@switchboard/core';
import {
  createInMemoryCircuitRegistry,
  execute,
  isExecutionError,
  realEngineClock,
  type CircuitRegistry,
  type EngineClock,
  type EngineExecution,
  type EnginePart,
  type ExecutionResult,
  type InMemoryCircuitRegistry,
  type ReselectRequest,
} from '../engine/index.ts';
import { decisionCacheKey, representativeSelection } from './decision-cache-key.ts';
import { createDecisionCache, type DecisionCache } from './decision-cache.ts';
import {
  telemetryOfFailure,
  telemetryOfResult,
  type ExecutionTelemetryFacts,
} from './execution-telemetry.ts';
import { fittedAdapter, type TranscriptFitting } from './fitted-adapter.ts';
import { ClientLearning } from './learning/client-learning.ts';
import {
  qualitySignalOfGameSignal,
  qualitySignalOfScreenOutcome,
  type GameSignal,
} from './learning/game-signal.ts';
import { MessageTokenCounter } from './message-token-counter.ts';
import type {
  DecisionFeedback,
  ModelClient,
  ModelClientCloseOptions,
  ModelClientOptions,
  ModelClientRequest,
  ModelClientResponse,
  ModelClientStream,
  ProviderAdapterFactory,
} from './model-client-types.ts';
import { createFileRegistrySource } from './registry-source/file-registry-source.ts';
import type { RegistrySource } from './registry-source/registry-source.ts';
import { createStaticRegistrySource } from './registry-source/static-registry-source.ts';
import { createMemorySessionStore } from './session/memory-session-store.ts';
import { appendTurn, createSession, sessionTranscript, type Session } from './session/session.ts';
import type { SessionStore } from './session/session-store.ts';
import { KeyedLock } from './session-lock.ts';
import { createTelemetryEvent, randomEventId } from './telemetry/telemetry-event.ts';

/** Recent decisions kept for `feedback()`. */
const rememberedDecisions = 10_000;
/**
 * How often learning may invalidate the decision cache. Cached rankings (elevated and crisis risk)
 * are posterior means, which learning moves a little with every request; dropping them at every
 * request would make the cache useless, keeping them forever would ignore what was learned.
 */
const learningRefreshMs = 10_000;
const defaultMaxPromptTokens = 16_384;
const ignore = (): void => undefined;

/**
 * The client a game service imports. One call per player turn:
 *
 * 1. the therapeutic context is parsed (core `parseTherapeuticContext`; invalid input rejects with a
 *    `SwitchboardValidationError` naming the field);
 * 2. in session mode the session is read (requests on one session run one after another) and the
 *    player's message added; the prompt is estimated (core `estimateTokens`);
 * 3. the decision comes from the decision cache or from core `select()` against the current
 *    registry snapshot, prior statistics and the circuit breakers' health view;
 * 4. the engine runs it; each attempt's transcript is fitted to that model's window and adapted to
 *    its capabilities (core `transcriptForModel`), so switching models keeps the system prompt,
 *    the pinned turns and the thread of the conversation;
 * 5. the answer is appended to the session and one telemetry event (no content) is emitted.
 *
 * Resolves once the registry is loaded (a file source reads its file first).
 */
export async function createModelClient(options: ModelClientOptions): Promise<ModelClient> {
  const source = await registrySourceOf(options.registry);
  return new DirectModelClient(options, source);
}

async function registrySourceOf(registry: ModelClientOptions['registry']): Promise<RegistrySource> {
  if ('snapshot' in registry) return createStaticRegistrySource(registry.snapshot);
  if ('file' in registry) {
    return createFileRegistrySource(registry.file, {
      watch: registry.watch,
      mergeWithDefaults: registry.mergeWithDefaults,
    });
  }
  return registry;
}

/** What one request needs from start to finish. */
interface Turn {
  decisionId: string;
  context: TherapeuticContext;
  startedAt: number;
  sessionId: string | undefined;
  session: Session | undefined;
  userMessage: ChatMessage | undefined;
  pinUser: boolean;
  release: () => void;
}

/** A model's adapter as built for one snapshot, or why there is none. */
type AdapterEntry = { adapter: ChatModelAdapterV1; model: ModelSpec; alternateRoles: boolean } | null;

class DirectModelClient implements ModelClient {
  readonly #options: ModelClientOptions;
  readonly #source: RegistrySource;
  readonly #clock: EngineClock;
  readonly #random: () => number;
  readonly #generateId: () => string;
  readonly #sessions: SessionStore;
  readonly #circuits: InMemoryCircuitRegistry;
  readonly #engineCircuits: CircuitRegistry;
  readonly #cache: DecisionCache | undefined;
  readonly #reuseSampledRankings: boolean;
  readonly #maxPromptTokens: number;
  readonly #lock = new KeyedLock();
  readonly #counter = new MessageTokenCounter();
  readonly #adapters = new WeakMap<RegistrySnapshot, Map<string, AdapterEntry>>();
  readonly #stats = new WeakMap<RegistrySnapshot, StatsView>();
  readonly #learning: ClientLearning | undefined;
  #learningRevisionCached = 0;
  #learningCheckedAt = Number.NEGATIVE_INFINITY;
  readonly #stopFleet: () => void = ignore;
  readonly #recent = new Map<string, Omit<DecisionFeedback, 'score' | 'at'>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #healthEpoch = 0;
  #closed: Promise<void> | undefined;

  constructor(options: ModelClientOptions, source: RegistrySource) {
    this.#options = options;
    this.#source = source;
    this.#clock = options.clock ?? realEngineClock;
    this.#random = options.random ?? Math.random;
    this.#generateId = options.generateId ?? randomEventId;
    this.#sessions = options.sessionStore ?? createMemorySessionStore({ clock: this.#clock });
    this.#circuits = options.circuits ?? createInMemoryCircuitRegistry();
    this.#engineCircuits = this.#watchedCircuits(this.#circuits);
    const cacheOptions = options.decisionCache;
    this.#cache =
      cacheOptions === false ? undefined : createDecisionCache({ clock: this.#clock, ...cacheOptions });
    this.#reuseSampledRankings = cacheOptions !== false && cacheOptions?.reuseSampledRankings === true;
    this.#maxPromptTokens = options.maxPromptTokens ?? defaultMaxPromptTokens;
    const learning = options.learning;
    this.#learningCheckedAt = this.#clock.now();
    if (learning !== false) {
      this.#learning = new ClientLearning({
        halfLives: learning?.halfLives,
        fleetIncludesOwnAttempts: learning?.fleetIncludesOwnAttempts ?? options.telemetry !== undefined,
        onWarning: (message) => this.#warn(message),
      });
      if (learning?.fleet !== false) this.#stopFleet = this.#followFleet(source, this.#learning);
    }
  }

  /** Adopts the source's fleet state now and whenever it fetches a new one. */
  #followFleet(source: RegistrySource, learning: ClientLearning): () => void {
    const fleet = source.optimizerState?.();
    if (fleet !== undefined) learning.adoptFleet(fleet);
    return source.subscribeOptimizerState?.((state) => learning.adoptFleet(state)) ?? ignore;
  }

  chat(request: ModelClientRequest): Promise<ModelClientResponse> {
    return this.stream(request).response;
  }

  stream(request: ModelClientRequest): ModelClientStream {
    const abort = new AbortController();
    const callerSignal = request.signal;
    const onCallerAbort = (): void => abort.abort(callerSignal?.reason);
    if (callerSignal?.aborted === true) abort.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    const decisionId = this.#generateId();
    const started = this.#start(request, abort.signal, decisionId);
    const response = started.then((running) => running.finished);
    response.catch(ignore).finally(() => callerSignal?.removeEventListener('abort', onCallerAbort));
    this.#track(response);

    let iterated = false;
    const iterate = async function* (): AsyncGenerator<EnginePart, void, undefined> {
      const { execution } = await started;
      // Leaving the caller's loop early returns this generator, which returns the execution: aborted.
      yield* execution;
    };
    return {
      decisionId,
      response,
      abort: () => abort.abort(),
      [Symbol.asyncIterator]: () => {
        if (iterated)
          throw new Error(
            'A model client stream can be read only once; keep the parts if you need them twice.',
          );
        iterated = true;
        return iterate();
      },
    };
  }

  feedback(decisionId: string, score: number): boolean {
    if (!(Number.isFinite(score) && score >= 0 && score <= 1)) {
      throw new RangeError(
        `A feedback score must be a number from 0 (bad) to 1 (excellent), got ${String(score)}.`,
      );
    }
    const decision = this.#recent.get(decisionId);
    if (decision === undefined) return false;
    const at = this.#clock.now();
    this.#learnQuality(decision, { type: 'feedback', score }, at);
    this.#options.onFeedback?.({ ...decision, score, at });
    return true;
  }

  signal(decisionId: string, signal: GameSignal): boolean {
    const quality = qualitySignalOfGameSignal(signal);
    return this.#signal(decisionId, quality);
  }

  screenOutcome(decisionId: string, outcome: SafetyScreenOutcome): boolean {
    const quality = qualitySignalOfScreenOutcome(outcome);
    const decision = this.#recent.get(decisionId);
    if (decision !== undefined && decision.taskType !== 'safety_screening') {
      throw new RangeError(
        `Decision ${decisionId} was a ${decision.taskType} request: a safety-screen outcome is about a ` +
          'safety_screening answer; use signal() or feedback() for other answers.',
      );
    }
    return this.#signal(decisionId, quality);
  }

  learnedState(): SerializedOptimizerState | undefined {
    return this.#learning?.serialize();
  }

  #signal(decisionId: string, signal: QualitySignal): boolean {
    const decision = this.#recent.get(decisionId);
    if (decision === undefined) return false;
    const at = this.#clock.now();
    this.#learnQuality(decision, signal, at);
    this.#options.onSignal?.({ ...decision, signal, at });
    return true;
  }

  /** Quality evidence counts for the model that answered; nothing learns from a fallback's answer. */
  #learnQuality(decision: Omit<DecisionFeedback, 'score' | 'at'>, signal: QualitySignal, at: number): void {
    if (this.#learning === undefined || decision.modelId === undefined) return;
    this.#learning.recordQuality(decision.modelId, decision.taskType, signal, at);
  }

  snapshot(): RegistrySnapshot {
    return this.#source.current();
  }

  invalidateDecisions(): void {
    this.#healthEpoch += 1;
    this.#cache?.clear();
  }

  close(options: ModelClientCloseOptions = {}): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      await this.#options.telemetry?.close(options);
      this.#stopFleet();
      await this.#source.close();
    })();
    return this.#closed;
  }

  // --- the request path --------------------------------------------------------------------

  async #start(
    request: ModelClientRequest,
    signal: AbortSignal,
    decisionId: string,
  ): Promise<{ execution: EngineExecution; finished: Promise<ModelClientResponse> }> {
    if (this.#closed !== undefined) {
      throw new Error(
        'This model client is closed: create a new one with createModelClient() to send requests.',
      );
    }
    const context = parseTherapeuticContext(request.context);
    const turn = await this.#openTurn(request, context, decisionId);
    try {
      const snapshot = this.#source.current();
      const transcript = this.#transcriptOf(request, turn);
      const estimate = this.#counter.countPrompt(transcript.messages, 'unknown', request.tools);
      const selection: SelectionRequest = {
        estimatedInputTokens:
          turn.session === undefined ? estimate : Math.min(estimate, this.#maxPromptTokens),
        maxOutputTokens: request.maxOutputTokens,
        requiresTools: (request.tools?.length ?? 0) > 0,
        requiresJsonMode: request.responseFormat === 'json',
        pinnedModelId: request.pinnedModelId,
        policyName: request.policyName,
      };
      const decision = this.#decide(context, selection, snapshot, request.budget);
      const fitting: TranscriptFitting = {
        pinned: transcript.pinned,
        summary: transcript.summary,
        maxPromptTokens: turn.session === undefined ? undefined : this.#maxPromptTokens,
        summarise: this.#options.summarise,
        counter: this.#counter,
      };
      const chatRequest: ChatRequest = {
        messages: [...transcript.messages],
        maxOutputTokens: request.maxOutputTokens,
        tools: request.tools,
        toolChoice: request.toolChoice,
        responseFormat: request.responseFormat,
        stop: request.stop,
      };
      const execution = execute({
        decision,
        request: chatRequest,
        adapters: (modelId) => this.#adapterFor(snapshot, modelId, fitting),
        registry: snapshot,
        clock: this.#clock,
        random: this.#random,
        signal,
        deadlineMs: request.deadlineMs ?? context.latencyBudgetMs,
        maxAttempts: this.#options.maxAttempts,
        admitAttempt: this.#options.admitAttempt,
        retry: this.#options.retry,
        circuits: this.#engineCircuits,
        crisisFallback: this.#options.crisisFallback,
        onEvent: this.#options.onEvent,
        executionId: decisionId,
        reselect: (overflow) => this.#reselect(context, selection, snapshot, request.budget, overflow),
      });
      const finished = execution.result
        .then(
          (result) => this.#completeTurn(turn, result),
          (error: unknown) => this.#failTurn(turn, error),
        )
        .finally(turn.release);
      return { execution, finished };
    } catch (error) {
      turn.release();
      throw error;
    }
  }

  async #openTurn(
    request: ModelClientRequest,
    context: TherapeuticContext,
    decisionId: string,
  ): Promise<Turn> {
    const { sessionId, userMessage, messages } = request;
    const sessionMode = sessionId !== undefined || userMessage !== undefined;
    if (
      sessionMode === (messages !== undefined) ||
      (sessionMode && (sessionId === undefined || userMessage === undefined))
    ) {
      throw new TypeError(
        'A request needs either `messages` (the whole conversation) or `sessionId` with `userMessage` ' +
          '(the client keeps the conversation), not both and not neither.',
      );
    }
    const startedAt = this.#clock.now();
    const base = { decisionId, context, startedAt, pinUser: request.pinUserMessage === true };
    if (sessionId === undefined || userMessage === undefined) {
      return { ...base, sessionId: undefined, session: undefined, userMessage: undefined, release: ignore };
    }
    const release = await this.#lock.acquire(sessionId);
    try {
      let session = (await this.#sessions.get(sessionId)) ?? createSession(sessionId, { now: startedAt });
      if (request.systemPrompt !== undefined && request.systemPrompt !== session.systemPrompt) {
        session = { ...session, systemPrompt: request.systemPrompt };
      }
      return { ...base, sessionId, session, userMessage: { role: 'user', content: userMessage }, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  #transcriptOf(request: ModelClientRequest, turn: Turn): Transcript {
    if (turn.session === undefined || turn.userMessage === undefined)
      return { messages: request.messages ?? [] };
    const transcript = sessionTranscript(turn.session, [turn.userMessage]);
    if (!turn.pinUser) return transcript;
    const pinned = new Set(transcript.pinned);
    pinned.add(transcript.messages.length - 1);
    return { ...transcript, pinned };
  }

  #decide(
    context: TherapeuticContext,
    request: SelectionRequest,
    snapshot: RegistrySnapshot,
    budget: BudgetView | undefined,
  ): Decision {
    const cache = this.#cache;
    // Requests whose rankings are never cached select on their exact size, not on their bucket's strictest member.
    const cacheable = budget === undefined && (this.#reuseSampledRankings || isHighRisk(context.riskLevel));
    const key = cache === undefined || !cacheable ? undefined : decisionCacheKey(context, request);
    if (cache !== undefined && key !== undefined) {
      this.#syncLearningEpoch();
      cache.sync(snapshot.version, this.#healthEpoch);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const epoch = this.#healthEpoch;
      const representative = representativeSelection(context, request);
      const decision = this.#select(representative.context, representative.request, snapshot, undefined);
      if (decision.candidates.length > 0) {
        if (this.#cacheable(decision)) cache.set(key, decision, epoch);
        return decision;
      }
      // The bucket's strictest member admits nothing; the exact request may still be served.
    }
    return this.#select(context, request, snapshot, budget);
  }

  /** Moves the cache epoch on when something was learned, at most once per {@link learningRefreshMs}. */
  #syncLearningEpoch(): void {
    const learning = this.#learning;
    if (learning === undefined || learning.revision === this.#learningRevisionCached) return;
    const now = this.#clock.now();
    if (now - this.#learningCheckedAt < learningRefreshMs) return;
    this.#learningCheckedAt = now;
    this.#learningRevisionCached = learning.revision;
    this.#healthEpoch += 1;
  }

  /**
   * Deterministic rankings only (posterior means, used at elevated and crisis risk), unless the
   * host accepts frozen Thompson draws; and only while every listed model is healthy, because the
   * moment a breaker is open or probing is when a ranking goes stale fastest.
   */
  #cacheable(decision: Decision): boolean {
    if (!this.#reuseSampledRankings && !isHighRisk(decision.riskLevel)) return false;
    return decision.candidates.every((candidate) => candidate.circuit === 'closed');
  }

  #select(
    context: TherapeuticContext,
    request: SelectionRequest,
    snapshot: RegistrySnapshot,
    budget: BudgetView | undefined,
  ): Decision {
    return select({
      context,
      request,
      snapshot,
      health: this.#circuits.healthView(this.#clock.now()),
      stats: this.#statsOf(snapshot),
      budget,
      seed: Math.floor(this.#random() * 0x1_0000_0000),
    });
  }

  #reselect(
    context: TherapeuticContext,
    request: SelectionRequest,
    snapshot: RegistrySnapshot,
    budget: BudgetView | undefined,
    overflow: ReselectRequest,
  ): Decision {
    return this.#select(
      context,
      {
        ...request,
        estimatedInputTokens: Math.max(request.estimatedInputTokens, overflow.estimatedInputTokens),
        excludeModelIds: overflow.excludeModelIds,
      },
      snapshot,
      budget,
    );
  }

  #statsOf(snapshot: RegistrySnapshot): StatsView {
    if (this.#learning !== undefined) return this.#learning.statsView(snapshot, this.#clock.now());
    let stats = this.#stats.get(snapshot);
    if (stats === undefined) {
      stats = statsFromPriors(snapshot);
      this.#stats.set(snapshot, stats);
    }
    return stats;
  }

  #adapterFor(
    snapshot: RegistrySnapshot,
    modelId: string,
    fitting: TranscriptFitting,
  ): ChatModelAdapterV1 | undefined {
    let entries = this.#adapters.get(snapshot);
    if (entries === undefined) {
      entries = new Map();
      this.#adapters.set(snapshot, entries);
    }
    let entry = entries.get(modelId);
    if (entry === undefined) {
      entry = this.#buildAdapter(snapshot, modelId);
      entries.set(modelId, entry);
    }
    return entry === null
      ? undefined
      : fittedAdapter(entry.adapter, entry.model, fitting, entry.alternateRoles);
  }

  #buildAdapter(snapshot: RegistrySnapshot, modelId: string): AdapterEntry {
    const model = snapshot.models.find((candidate) => candidate.id === modelId);
    const provider = model && snapshot.providers.find((candidate) => candidate.id === model.provider);
    if (model === undefined || provider === undefined) return null;
    const factory: ProviderAdapterFactory | undefined =
      this.#options.providers[provider.id] ?? this.#options.providers[provider.kind];
    if (factory === undefined) {
      this.#warn(
        `No adapter factory for provider "${provider.id}" (kind ${provider.kind}), so model ${modelId} is passed ` +
          `over: add "${provider.id}" or "${provider.kind}" to the client's providers option.`,
      );
      return null;
    }
    try {
      // Anthropic's Messages API rejects two turns of one role in a row.
      return { adapter: factory(provider, model), model, alternateRoles: provider.kind === 'anthropic' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#warn(`Could not build the adapter of model ${modelId} (provider "${provider.id}"): ${reason}`);
      return null;
    }
  }

  async #completeTurn(turn: Turn, result: ExecutionResult): Promise<ModelClientResponse> {
    this.#learnAndReport(telemetryOfResult(result, this.#facts(turn)), turn);
    this.#remember(turn, result.decision, result.answeredBy);
    if (turn.session !== undefined && turn.userMessage !== undefined) {
      const assistant: ChatMessage =
        result.toolCalls.length > 0
          ? { role: 'assistant', content: result.text, toolCalls: result.toolCalls }
          : { role: 'assistant', content: result.text };
      const next = appendTurn(
        turn.session,
        {
          user: turn.userMessage as Extract<ChatMessage, { role: 'user' }>,
          assistant,
          answeredBy: result.answeredBy,
          pinUser: turn.pinUser,
        },
        this.#clock.now(),
      );
      await this.#sessions.put(next);
    }
    return {
      decisionId: turn.decisionId,
      text: result.text,
      toolCalls: result.toolCalls,
      finishReason: result.finishReason,
      answeredBy: result.answeredBy,
      fallback: result.fallback,
      crisisResources: result.crisisResources,
      usage: result.usage,
      cost: result.cost,
      result,
    };
  }

  #failTurn(turn: Turn, error: unknown): never {
    if (isExecutionError(error)) {
      this.#learnAndReport(telemetryOfFailure(error, this.#facts(turn)), turn);
      this.#remember(turn, error.decision, undefined);
    }
    throw error;
  }

  #facts(turn: Turn): ExecutionTelemetryFacts {
    return {
      decisionId: turn.decisionId,
      context: turn.context,
      sessionId: turn.sessionId,
      startedAt: turn.startedAt,
      endedAt: this.#clock.now(),
    };
  }

  /** Learns from the request's attempts (the same reading the control plane makes of its telemetry), then reports it. */
  #learnAndReport(fields: Parameters<typeof createTelemetryEvent>[0], turn: Turn): void {
    try {
      this.#learning?.recordAttempts(fields, turn.startedAt);
    } catch (error) {
      this.#warn(`Could not learn from a request: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#emitTelemetry(fields);
  }

  #emitTelemetry(fields: Parameters<typeof createTelemetryEvent>[0]): void {
    const sink = this.#options.telemetry;
    if (sink === undefined) return;
    sink.emit(createTelemetryEvent(fields, { generateId: this.#generateId, clock: this.#clock }));
  }

  #remember(turn: Turn, decision: Decision, modelId: string | undefined): void {
    this.#recent.set(turn.decisionId, {
      decisionId: turn.decisionId,
      modelId,
      taskType: turn.context.taskType,
      riskLevel: turn.context.riskLevel,
      policyName: decision.policyName,
      snapshotVersion: decision.snapshotVersion,
    });
    if (this.#recent.size > rememberedDecisions) {
      const oldest = this.#recent.keys().next();
      if (oldest.done !== true) this.#recent.delete(oldest.value);
    }
  }

  #track(work: Promise<unknown>): void {
    const settled = work.then(ignore, ignore);
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
  }

  /**
   * The engine's view of the breakers, bumping the health epoch whenever a model's circuit status
   * changes, so no cached decision outlives the health it was ranked under. `statusOf` is passed
   * through: without it the engine cannot see that a Retry-After has just opened a circuit, and
   * waits the Retry-After out only to have the retry refused.
   */
  #watchedCircuits(circuits: InMemoryCircuitRegistry): CircuitRegistry {
    return {
      statusOf: (modelId, at) => circuits.statusOf(modelId, at),
      admit: (modelId, now) => {
        const before = circuits.statusOf(modelId, now);
        const admission = circuits.admit(modelId, now);
        if (circuits.statusOf(modelId, now) !== before) this.#healthEpoch += 1;
        return admission;
      },
      report: (modelId, event, now) => {
        const before = circuits.statusOf(modelId, now);
        circuits.report(modelId, event, now);
        if (circuits.statusOf(modelId, now) !== before) this.#healthEpoch += 1;
      },
    };
  }

  #warn(message: string): void {
    try {
      (this.#options.onWarning ?? console.warn)(`[switchboard client] ${message}`);
    } catch {
      // A failing logger must not fail the request.
    }
  }
}
