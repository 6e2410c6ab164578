import {
  continuation,
  createStreamStitcher,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type CircuitAdmission,
  type CircuitEvent,
  type Decision,
  type ModelSpec,
  type PolicyTimeouts,
  type RoutingPolicy,
  type StatsView,
} from '@switchboard/core';
import {
  attemptWorstCaseMicros,
  chargeOf,
  type AttemptAdmission,
  type AttemptAdmissionHook,
  type AttemptAdmitted,
  type AttemptRefused,
} from './attempt-admission.ts';
import { billAttempt, billedTotals } from './attempt-billing.ts';
import { earliestNextAttempt } from './attempt-spacing.ts';
import { AttemptRun, type AttemptHost, type AttemptLimits } from './attempt-run.ts';
import { sharedCircuitRegistry, type CircuitRegistry } from './circuit-registry.ts';
import { tokensAfterContextOverflow } from './context-overflow-tokens.ts';
import { crisisFallbackText, defaultCrisisFallback, type CrisisFallback } from './crisis-fallback.ts';
import { realEngineClock, sleepOn, type EngineClock } from './engine-clock.ts';
import type { EngineEvent, EngineEventListener } from './engine-event.ts';
import { engineRegistryOf, type EngineRegistry } from './engine-registry.ts';
import type { EngineAdapters, ExecuteOptions, ReselectRequest } from './execute-options.ts';
import { describeExecutionFailure, ExecutionError, type ExecutionErrorKind } from './execution-error.ts';
import type {
  AttemptRecord,
  AttemptTrigger,
  ContinuationMode,
  EngineExecution,
  EnginePart,
  ExecutionResult,
  SkipReason,
  SkippedCandidate,
} from './execution-result.ts';
import { failureStep } from './failure-step.ts';
import { firstTokenDeadlineMs } from './first-token-deadline.ts';
import { PartChannel } from './part-channel.ts';

/**
 * Runs a decision: walks its ranked candidates under per-attempt deadlines, retries and fails over
 * by error kind, hedges a slow first attempt, hands a broken-off answer to the next model without
 * a visible seam, consults and feeds the circuit breakers, and answers a player at crisis risk with
 * the safe message when every model fails. Returns at once; the work runs in the background.
 *
 * Iterate the returned execution to stream; await its `result` for the whole answer. The engine
 * knows nothing of its host (SDK or control plane): adapters, registry, clock and breakers are
 * passed in.
 */
export function execute(options: ExecuteOptions): EngineExecution {
  const execution = new Execution(options);
  void execution.run();
  return execution.handle;
}

const defaults = {
  maxAttempts: 6,
  backoffMs: 250,
  maxRetryAfterWaitMs: 2_000,
  adaptiveFactor: 3,
  adaptiveMinimumMs: 1_000,
  crisisReserveMs: 250,
} as const;

const successEvent: CircuitEvent = Object.freeze({ type: 'success' });
const abortedEvent: CircuitEvent = Object.freeze({ type: 'failure', kind: 'aborted' });
const ignore = (): void => undefined;
const unguarded: AttemptAdmission = Object.freeze({ admitted: true, settle: () => Promise.resolve() });

/** What the engine remembers about one model during one execution. */
interface ModelState {
  /** Ruled out for the rest of the execution. */
  excluded: boolean;
  failures: number;
  /** Start times of its attempts, oldest first (for the attempt-spacing rule). */
  starts: number[];
  /** Not before this instant (backoff, Retry-After). */
  notBefore: number;
  /** Why its next attempt starts, when an error decided it (`retry`, `prefill-fallback`). */
  nextTrigger: AttemptTrigger | undefined;
  /** It refused a prefill: continue by instruction from now on. */
  prefillRejected: boolean;
}

/** The attempts running side by side (a first attempt and, at most, its hedge). */
interface Round {
  runs: AttemptRun[];
  /** The attempt whose content goes to the caller: the first to produce any. */
  owner: AttemptRun | undefined;
  open: number;
  closed: boolean;
  finish: (winner: AttemptRun | undefined) => void;
}

/** A candidate cleared to take an attempt now. */
interface PlannedAttempt {
  modelId: string;
  adapter: ChatModelAdapterV1;
  model: ModelSpec | undefined;
  probe: boolean;
  trigger: AttemptTrigger | undefined;
  /** The budget guard's admission, settled when the attempt ends. */
  budget: AttemptAdmitted | undefined;
}

class Execution implements AttemptHost {
  readonly clock: EngineClock;
  readonly handle: EngineExecution;

  private readonly decision: Decision;
  private readonly registry: EngineRegistry;
  private readonly policy: RoutingPolicy;
  private readonly timeouts: PolicyTimeouts;
  private readonly adapters: EngineAdapters;
  private readonly circuits: CircuitRegistry | null;
  private readonly onEvent: EngineEventListener | undefined;
  private readonly executionId: string | undefined;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly stats: StatsView | undefined;
  private readonly adaptive: { factor: number; minimumMs: number };
  private readonly backoffMs: number;
  private readonly maxRetryAfterWaitMs: number;
  private readonly reselect: ExecuteOptions['reselect'];
  private readonly admitAttempt: AttemptAdmissionHook | undefined;
  /** Budget admissions of started attempts, by attempt index, until the attempt settles. */
  private readonly budgetAdmissions = new Map<number, AttemptAdmitted>();
  /** The last refusal of a budget guard, for the final error when nothing could be tried. */
  private budgetRefusal: AttemptRefused | undefined;
  private readonly crisisFallback: CrisisFallback;
  private readonly crisis: boolean;
  private readonly baseRequest: ChatRequest;
  private readonly outputAllowance: number;
  private readonly startedAt: number;
  private readonly stopAt: number;
  private readonly channel: PartChannel<EnginePart>;
  private readonly callerSignal: AbortSignal | undefined;
  private readonly result: Promise<ExecutionResult>;
  private resolveResult!: (result: ExecutionResult) => void;
  private rejectResult!: (error: ExecutionError) => void;

  private queue: readonly string[];
  private readonly states = new Map<string, ModelState>();
  private readonly attempts: AttemptRecord[] = [];
  private readonly skipped: SkippedCandidate[] = [];
  private readonly reselections: Decision[] = [];
  private readonly contributors: string[] = [];
  private deliveredText = '';
  private round: Round | undefined;
  private headline: ProviderError | undefined;
  private interruption: ProviderError | undefined;
  private lastContributor: string | undefined;
  private lastInterruptionKind: ProviderError['kind'] | undefined;
  private minSafetyTier: number | undefined;
  private minimumWindow: number | undefined;
  private refusedProviders: Set<string> | undefined;
  private hedged = false;
  private stopped = false;
  private cancelled = false;
  private waitController: AbortController | undefined;
  private readonly onCallerAbort = (): void => this.abort();

  constructor(options: ExecuteOptions) {
    this.clock = options.clock ?? realEngineClock;
    this.decision = options.decision;
    this.registry = engineRegistryOf(options.registry);
    this.policy = this.registry.policyFor(options.decision);
    this.timeouts = this.policy.timeouts;
    this.adapters = options.adapters;
    this.circuits = options.circuits === undefined ? sharedCircuitRegistry : options.circuits;
    this.onEvent = options.onEvent;
    this.executionId = options.executionId;
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? defaults.maxAttempts);
    this.stats = options.stats;
    this.adaptive = {
      factor: options.adaptiveFirstToken?.factor ?? defaults.adaptiveFactor,
      minimumMs: options.adaptiveFirstToken?.minimumMs ?? defaults.adaptiveMinimumMs,
    };
    this.backoffMs = options.retry?.backoffMs ?? defaults.backoffMs;
    this.maxRetryAfterWaitMs = options.retry?.maxRetryAfterWaitMs ?? defaults.maxRetryAfterWaitMs;
    this.reselect = options.reselect;
    this.admitAttempt = options.admitAttempt;
    this.crisisFallback = options.crisisFallback ?? defaultCrisisFallback;
    this.crisis = options.decision.riskLevel === 'crisis';

    const request = options.request;
    const parameters = options.decision.parameters;
    this.outputAllowance = request.maxOutputTokens ?? parameters.maxOutputTokens;
    this.baseRequest = {
      ...request,
      temperature: request.temperature ?? parameters.temperature,
      topP: request.topP ?? parameters.topP,
      maxOutputTokens: this.outputAllowance,
    };

    this.startedAt = this.clock.now();
    const totalMs = options.deadlineMs ?? this.timeouts.totalMs;
    const reserve = this.crisis
      ? Math.min(options.crisisReserveMs ?? defaults.crisisReserveMs, totalMs / 4)
      : 0;
    this.stopAt = this.startedAt + totalMs - reserve;
    this.queue = options.decision.candidates.map((candidate) => candidate.modelId);

    this.channel = new PartChannel<EnginePart>(() => this.abort());
    this.result = new Promise<ExecutionResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(ignore);
    const channel = this.channel;
    this.handle = {
      result: this.result,
      abort: () => this.abort(),
      [Symbol.asyncIterator]: () => channel.iterator(),
    };

    this.callerSignal = options.signal ?? request.abortSignal;
    if (this.callerSignal !== undefined) {
      if (this.callerSignal.aborted) this.cancelled = true;
      else this.callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  /** The walk: pick, run a round, learn from its failures, until an answer or nothing is left. */
  async run(): Promise<void> {
    try {
      for (;;) {
        if (this.cancelled) return this.fail();
        const planned = await this.pickNext();
        if (planned === undefined) break;
        const winner = await this.runRound(planned);
        if (winner !== undefined) return this.succeed(winner);
        if (this.cancelled) return this.fail();
        if (!(await this.learnFromRound())) break;
      }
      this.fail();
    } catch (error) {
      this.failUnexpectedly(error);
    }
  }

  abort(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.waitController?.abort();
    const round = this.round;
    if (round !== undefined && !round.closed) {
      for (const run of round.runs) run.cancel('aborted');
    }
  }

  // --- choosing the next attempt -------------------------------------------------------------

  private async pickNext(): Promise<PlannedAttempt | undefined> {
    for (;;) {
      if (this.cancelled || this.attempts.length >= this.maxAttempts) return undefined;
      const now = this.clock.now();
      if (now >= this.stopAt) return undefined;
      const modelId = this.firstOpenCandidate();
      if (modelId === undefined) return undefined;
      const state = this.stateOf(modelId);
      const adapter = this.adapterOf(modelId);
      const model = this.registry.modelOf(modelId);
      const blocked = adapter === undefined ? 'no-adapter' : this.blockedReason(model, adapter);
      if (blocked !== undefined) {
        this.skip(modelId, blocked);
        continue;
      }
      const earliest = Math.max(state.notBefore, earliestNextAttempt(state.starts, now));
      if (earliest > now) {
        if (earliest >= this.stopAt) this.skip(modelId, 'no-time');
        else if (!(await this.wait(earliest - now))) return undefined;
        continue;
      }
      const admission = await this.admit(modelId, now);
      if (this.cancelled) {
        if (admission.admitted && admission.reason === 'probe')
          this.reportQuietly(modelId, abortedEvent, now);
        return undefined;
      }
      if (!admission.admitted) {
        this.skip(modelId, admission.reason === 'open' ? 'circuit-open' : 'probe-in-flight');
        continue;
      }
      const probe = admission.reason === 'probe';
      const trigger = state.nextTrigger ?? this.defaultTrigger();
      const budget = await this.admitBudget(modelId, adapter as ChatModelAdapterV1, model, trigger);
      if (this.cancelled || !budget.admitted) {
        if (probe) this.reportQuietly(modelId, abortedEvent, this.clock.now());
        if (budget.admitted) this.releaseBudget(budget);
        if (this.cancelled) return undefined;
        this.budgetRefusal = budget as AttemptRefused;
        this.skip(modelId, 'budget');
        continue;
      }
      return {
        modelId,
        adapter: adapter as ChatModelAdapterV1,
        model,
        probe,
        trigger: undefined,
        budget: this.admitAttempt === undefined ? undefined : budget,
      };
    }
  }

  private firstOpenCandidate(): string | undefined {
    for (const modelId of this.queue) {
      if (!this.stateOf(modelId).excluded) return modelId;
    }
    return undefined;
  }

  /** Rules that came from earlier failures of this execution (safety tier, provider key, window). */
  private blockedReason(model: ModelSpec | undefined, adapter: ChatModelAdapterV1): SkipReason | undefined {
    if (this.minSafetyTier !== undefined && (model === undefined || model.safetyTier < this.minSafetyTier)) {
      return 'safety-tier';
    }
    if (this.refusedProviders?.has(model?.provider ?? adapter.provider) === true) return 'provider-auth';
    if (this.minimumWindow !== undefined && model !== undefined && model.contextWindow < this.minimumWindow) {
      return 'context-window';
    }
    return undefined;
  }

  private async admit(
    modelId: string,
    now: number,
  ): Promise<CircuitAdmission | { admitted: true; reason: 'closed' }> {
    if (this.circuits === null) return { admitted: true, reason: 'closed' };
    try {
      return await this.circuits.admit(modelId, now);
    } catch {
      // A breaker store that cannot answer (Redis down) must not take every model down with it.
      return { admitted: true, reason: 'closed' };
    }
  }

  /**
   * Asks the host's budget guard whether the next attempt may start, with its worst-case cost. No
   * guard admits everything; a guard that throws refuses (see `AttemptAdmissionHook`).
   */
  private async admitBudget(
    modelId: string,
    adapter: ChatModelAdapterV1,
    model: ModelSpec | undefined,
    trigger: AttemptTrigger,
  ): Promise<AttemptAdmission> {
    const admitAttempt = this.admitAttempt;
    if (admitAttempt === undefined) return unguarded;
    const mode = this.continuationModeFor(model, this.stateOf(modelId));
    const request = { executionId: this.executionId, attemptIndex: this.attempts.length, modelId, trigger };
    try {
      return await admitAttempt({
        ...request,
        provider: adapter.provider,
        worstCaseMicros: attemptWorstCaseMicros(model, this.requestFor(model, mode, undefined)),
      });
    } catch (error) {
      return {
        admitted: false,
        reason: `The budget check failed (${error instanceof Error ? error.message : String(error)}), so no attempt was started.`,
      };
    }
  }

  /** Gives back an admission whose attempt never started. */
  private releaseBudget(budget: AttemptAdmitted): void {
    budget.settle({ billed: false, actualMicros: undefined, cost: undefined }).catch(ignore);
  }

  /** True when the model's circuit will still be open at `at`, so a retry then would be refused. */
  private async circuitRefusesAt(modelId: string, at: number): Promise<boolean> {
    const circuits = this.circuits;
    if (circuits === null || circuits.statusOf === undefined) return false;
    try {
      return (await circuits.statusOf(modelId, at)) === 'open';
    } catch {
      return false;
    }
  }

  private async wait(ms: number): Promise<boolean> {
    this.waitController ??= new AbortController();
    return sleepOn(this.clock, ms, this.waitController.signal);
  }

  private skip(modelId: string, reason: SkipReason): void {
    this.stateOf(modelId).excluded = true;
    this.skipped.push({ modelId, reason });
    if (this.onEvent !== undefined) {
      this.emit({
        type: 'candidate-skip',
        at: this.clock.now(),
        executionId: this.executionId,
        modelId,
        reason,
      });
    }
  }

  // --- running attempts ----------------------------------------------------------------------

  private runRound(planned: PlannedAttempt): Promise<AttemptRun | undefined> {
    return new Promise((finish) => {
      const round: Round = { runs: [], owner: undefined, open: 0, closed: false, finish };
      this.round = round;
      this.startRun(planned, round);
    });
  }

  private startRun(planned: PlannedAttempt, round: Round): void {
    const { modelId, adapter, model } = planned;
    const now = this.clock.now();
    const state = this.stateOf(modelId);
    state.starts.push(now);
    const delivered = this.deliveredText;
    const trigger = planned.trigger ?? state.nextTrigger ?? this.defaultTrigger();
    state.nextTrigger = undefined;
    const mode = this.continuationModeFor(model, state);

    const controller = new AbortController();
    const record: AttemptRecord = {
      index: this.attempts.length,
      modelId,
      provider: adapter.provider,
      trigger,
      continuation: mode,
      outcome: 'aborted',
      error: undefined,
      deadline: undefined,
      probe: planned.probe,
      startedAt: now,
      headersAt: undefined,
      firstTokenAt: undefined,
      endedAt: now,
      outputCharacters: 0,
      usage: undefined,
      billed: false,
      cost: undefined,
    };
    this.attempts.push(record);
    if (planned.budget !== undefined) this.budgetAdmissions.set(record.index, planned.budget);

    const generate = model?.capabilities.streaming === false;
    const firstTokenMs = generate ? Number.POSITIVE_INFINITY : this.firstTokenMsFor(modelId);
    const hedgeMs = this.timeouts.hedgeMs;
    const limits: AttemptLimits = {
      headersMs: this.timeouts.headersMs,
      firstTokenMs,
      idleMs: this.timeouts.idleMs,
      stopAt: this.stopAt,
      hedgeAt:
        hedgeMs !== undefined &&
        !this.hedged &&
        trigger !== 'hedge' &&
        delivered === '' &&
        hedgeMs < firstTokenMs
          ? now + hedgeMs
          : undefined,
    };
    const stitcher = mode === undefined ? undefined : createStreamStitcher(delivered);
    const run = new AttemptRun(this, adapter, record, limits, stitcher, controller, generate);
    round.runs.push(run);
    round.open += 1;

    if (this.onEvent !== undefined) {
      const base = { at: now, executionId: this.executionId };
      if (trigger === 'handoff' && mode !== undefined) {
        this.emit({
          ...base,
          type: 'handoff-start',
          fromModelId: this.lastContributor ?? modelId,
          toModelId: modelId,
          cause: this.lastInterruptionKind ?? 'stream_cut',
          deliveredCharacters: delivered.length,
          mode,
        });
      }
      this.emit({
        ...base,
        type: 'attempt-start',
        attemptIndex: record.index,
        modelId,
        provider: adapter.provider,
        trigger,
        continuation: mode,
        probe: planned.probe,
      });
    }
    run.start(this.requestFor(model, mode, controller.signal));
  }

  /** How an attempt on `model` continues the text delivered so far; `undefined` when none was. */
  private continuationModeFor(model: ModelSpec | undefined, state: ModelState): ContinuationMode | undefined {
    if (this.deliveredText === '') return undefined;
    return model?.capabilities.assistantPrefill === true && !state.prefillRejected ? 'prefill' : 'instruct';
  }

  private defaultTrigger(): AttemptTrigger {
    if (this.deliveredText !== '') return 'handoff';
    return this.attempts.length === 0 ? 'initial' : 'failover';
  }

  /** The request for one attempt: the caller's, continued when text was delivered, with its own signal. */
  private requestFor(
    model: ModelSpec | undefined,
    mode: ContinuationMode | undefined,
    signal: AbortSignal | undefined,
  ): ChatRequest {
    const base =
      mode === undefined
        ? this.baseRequest
        : continuation(
            this.baseRequest,
            this.deliveredText,
            { assistantPrefill: mode === 'prefill' },
            { mode },
          ).request;
    const maxOutputTokens =
      model === undefined ? this.outputAllowance : Math.min(this.outputAllowance, model.maxOutputTokens);
    return { ...base, maxOutputTokens, abortSignal: signal };
  }

  /** The first-token deadline for `modelId` (adaptive when statistics are given). */
  private firstTokenMsFor(modelId: string): number {
    let observedP95Ms: number | undefined;
    try {
      observedP95Ms = this.stats?.statsOf(modelId, this.decision.taskType).timeToFirstTokenP95Ms;
    } catch {
      observedP95Ms = undefined;
    }
    return firstTokenDeadlineMs(this.timeouts.firstTokenMs, observedP95Ms, this.adaptive);
  }

  // --- AttemptHost ---------------------------------------------------------------------------

  claim(run: AttemptRun): boolean {
    const round = this.round as Round;
    if (round.owner === run) return true;
    if (round.owner === undefined) {
      round.owner = run;
      for (const other of round.runs) if (other !== run) other.cancel('hedge-lost');
      return true;
    }
    run.cancel('hedge-lost');
    return false;
  }

  deliver(run: AttemptRun, text: string): void {
    this.deliveredText += text;
    const modelId = run.record.modelId;
    if (this.lastContributor !== modelId) {
      this.lastContributor = modelId;
      if (!this.contributors.includes(modelId)) this.contributors.push(modelId);
    }
    this.channel.push({ type: 'text-delta', delta: text });
  }

  hedgeDue(run: AttemptRun): void {
    const round = this.round as Round;
    if (this.hedged || this.cancelled || round.owner !== undefined || round.runs.length > 1) return;
    if (this.attempts.length >= this.maxAttempts || this.deliveredText !== '') return;
    const candidate = this.hedgeCandidate(run.record.modelId);
    if (candidate === undefined) return;
    this.hedged = true;
    void this.startHedge(candidate, run, round);
  }

  settled(run: AttemptRun): void {
    const record = run.record;
    const model = this.registry.modelOf(record.modelId);
    billAttempt(record, model?.price ?? null);
    const budget = this.budgetAdmissions.get(record.index);
    if (budget !== undefined) {
      this.budgetAdmissions.delete(record.index);
      budget.settle(chargeOf(record)).catch(ignore);
    }
    this.reportToCircuit(record);
    if (this.onEvent !== undefined) {
      this.emit({ type: 'attempt-end', at: record.endedAt, executionId: this.executionId, attempt: record });
    }
    const round = this.round as Round;
    round.open -= 1;
    if (round.closed) return;
    if (run === round.owner || round.open === 0) {
      round.closed = true;
      const owner = round.owner;
      round.finish(owner !== undefined && owner.record.outcome === 'ok' ? owner : undefined);
    }
  }

  // --- hedging -------------------------------------------------------------------------------

  /** The next candidate that could start right now, without waiting and without being ruled out. */
  private hedgeCandidate(
    primaryModelId: string,
  ): Omit<PlannedAttempt, 'probe' | 'trigger' | 'budget'> | undefined {
    const now = this.clock.now();
    for (const modelId of this.queue) {
      if (modelId === primaryModelId) continue;
      const state = this.stateOf(modelId);
      if (state.excluded || state.notBefore > now || earliestNextAttempt(state.starts, now) > now) continue;
      const adapter = this.adapterOf(modelId);
      if (adapter === undefined) continue;
      const model = this.registry.modelOf(modelId);
      if (this.blockedReason(model, adapter) !== undefined) continue;
      return { modelId, adapter, model };
    }
    return undefined;
  }

  private async startHedge(
    candidate: Omit<PlannedAttempt, 'probe' | 'trigger' | 'budget'>,
    primary: AttemptRun,
    round: Round,
  ): Promise<void> {
    const admission = await this.admit(candidate.modelId, this.clock.now());
    const probe = admission.admitted && admission.reason === 'probe';
    const stale = (): boolean => round.closed || round.owner !== undefined || this.cancelled;
    // A hedge the budget refuses is simply not started; the candidate stays for a later failover.
    const budget =
      stale() || !admission.admitted
        ? undefined
        : await this.admitBudget(candidate.modelId, candidate.adapter, candidate.model, 'hedge');
    if (stale() || !admission.admitted || budget?.admitted !== true) {
      if (probe) this.reportQuietly(candidate.modelId, abortedEvent, this.clock.now());
      if (budget?.admitted === true) this.releaseBudget(budget);
      return;
    }
    if (this.onEvent !== undefined) {
      const now = this.clock.now();
      this.emit({
        type: 'hedge-start',
        at: now,
        executionId: this.executionId,
        primaryAttemptIndex: primary.record.index,
        primaryModelId: primary.record.modelId,
        hedgeModelId: candidate.modelId,
        waitedMs: now - primary.record.startedAt,
      });
    }
    this.startRun(
      { ...candidate, probe, trigger: 'hedge', budget: this.admitAttempt === undefined ? undefined : budget },
      round,
    );
  }

  // --- learning from failures ----------------------------------------------------------------

  /** Applies the failure rules to every failed attempt of the last round. False: stop trying. */
  private async learnFromRound(): Promise<boolean> {
    const round = this.round as Round;
    for (const run of round.runs) {
      const outcome = run.record.outcome;
      if (outcome === 'ok' || outcome === 'hedge-lost') continue;
      if (!(await this.learnFrom(run))) return false;
    }
    return !this.stopped;
  }

  private async learnFrom(run: AttemptRun): Promise<boolean> {
    const record = run.record;
    const error = record.error as ProviderError;
    const kind = error.kind;
    const modelId = record.modelId;
    const state = this.stateOf(modelId);
    const model = this.registry.modelOf(modelId);
    const wasPrefill = record.continuation === 'prefill';
    const prefillRejection = wasPrefill && (kind === 'prefill_unsupported' || kind === 'bad_request');
    if (run.delivered) {
      this.interruption ??= error;
      this.lastInterruptionKind = kind;
    }
    if (!prefillRejection && (this.headline?.kind !== 'content_filter' || kind === 'content_filter')) {
      this.headline = error;
    }
    if (record.deadline === 'total') return false;

    const now = this.clock.now();
    const step = failureStep({
      kind,
      retryAfterMs: error.retryAfterMs,
      earlierFailuresOnModel: state.failures,
      wasPrefill,
      midStream: run.delivered,
      contentFilterFailover: this.policy.contentFilterFailoverSameTierOrSafer,
      remainingMs: this.stopAt - now - this.expectedFirstTokenMs(modelId),
      backoffMs: this.backoffMs * (0.5 + this.random()),
      maxRetryAfterWaitMs: this.maxRetryAfterWaitMs,
    });
    // A refused prefill says the registry was wrong about the model, not that the model is failing.
    if (!prefillRejection) state.failures += 1;
    switch (step.type) {
      case 'retry':
        if (await this.circuitRefusesAt(modelId, now + step.delayMs)) {
          state.excluded = true;
          return true;
        }
        state.notBefore = now + step.delayMs;
        state.nextTrigger = 'retry';
        return true;
      case 'retry-without-prefill':
        state.prefillRejected = true;
        state.nextTrigger = 'prefill-fallback';
        return true;
      case 'fail-over':
        state.excluded = true;
        return true;
      case 'fail-over-other-provider':
        state.excluded = true;
        (this.refusedProviders ??= new Set()).add(model?.provider ?? record.provider);
        return true;
      case 'fail-over-same-tier-or-safer':
        state.excluded = true;
        this.minSafetyTier = Math.max(this.minSafetyTier ?? 0, model?.safetyTier ?? 3);
        return true;
      case 'reselect':
        state.excluded = true;
        await this.reselectAfterOverflow(error, model);
        return true;
      case 'stop':
        this.stopped = true;
        return false;
    }
  }

  private async reselectAfterOverflow(error: ProviderError, model: ModelSpec | undefined): Promise<void> {
    if (model !== undefined) this.minimumWindow = Math.max(this.minimumWindow ?? 0, model.contextWindow + 1);
    if (this.reselect === undefined) return;
    const request: ReselectRequest = {
      excludeModelIds: [...this.states]
        .filter(([, state]) => state.excluded || state.starts.length > 0)
        .map(([id]) => id),
      estimatedInputTokens: tokensAfterContextOverflow(error, model?.contextWindow, this.outputAllowance),
      cause: error,
    };
    try {
      const next = await this.reselect(request);
      this.reselections.push(next);
      this.queue = next.candidates.map((candidate) => candidate.modelId);
    } catch {
      // Without new candidates the walk goes on through the old ones that have a larger window.
    }
  }

  private expectedFirstTokenMs(modelId: string): number {
    const candidate = this.decision.candidates.find((entry) => entry.modelId === modelId);
    return candidate?.expectedTimeToFirstTokenMs ?? 0;
  }

  // --- bookkeeping ---------------------------------------------------------------------------

  private reportToCircuit(record: AttemptRecord): void {
    const outcome = record.outcome;
    const event: CircuitEvent =
      outcome === 'ok'
        ? successEvent
        : outcome === 'hedge-lost' || outcome === 'aborted'
          ? abortedEvent
          : { type: 'failure', kind: outcome, retryAfterMs: record.error?.retryAfterMs };
    this.reportQuietly(record.modelId, event, record.endedAt);
  }

  /** Reports to the breaker; losing one health report is better than failing the answer it belongs to. */
  private reportQuietly(modelId: string, event: CircuitEvent, now: number): void {
    const circuits = this.circuits;
    if (circuits === null) return;
    try {
      const pending = circuits.report(modelId, event, now);
      if (pending !== undefined) pending.catch(ignore);
    } catch {
      // See above: the answer goes on.
    }
  }

  private emit(event: EngineEvent): void {
    try {
      (this.onEvent as EngineEventListener)(event);
    } catch {
      // A broken telemetry listener must not break the answer.
    }
  }

  private stateOf(modelId: string): ModelState {
    let state = this.states.get(modelId);
    if (state === undefined) {
      state = {
        excluded: false,
        failures: 0,
        starts: [],
        notBefore: 0,
        nextTrigger: undefined,
        prefillRejected: false,
      };
      this.states.set(modelId, state);
    }
    return state;
  }

  private adapterOf(modelId: string): ChatModelAdapterV1 | undefined {
    const adapters = this.adapters;
    return typeof adapters === 'function' ? adapters(modelId) : adapters.get(modelId);
  }

  // --- endings -------------------------------------------------------------------------------

  private succeed(winner: AttemptRun): void {
    const modelId = winner.record.modelId;
    if (!this.contributors.includes(modelId)) this.contributors.push(modelId);
    for (const toolCall of winner.toolCalls) this.channel.push({ type: 'tool-call', toolCall });
    const result = this.buildResult({
      finishReason: winner.finishReason ?? { unified: 'other', raw: undefined },
      answeredBy: modelId,
      toolCalls: winner.toolCalls,
      fallback: undefined,
      failure: undefined,
    });
    this.settle(result, 'ok', undefined);
  }

  private fail(): void {
    const error = this.failureToReport();
    if (this.crisis && !this.cancelled) return this.answerWithSafeMessage(error);
    const refusal = this.cancelled ? undefined : this.budgetRefusal;
    const kind: ExecutionErrorKind = this.cancelled
      ? 'aborted'
      : (error?.kind ?? (refusal === undefined ? 'no_candidate' : 'budget_exceeded'));
    const executionError = new ExecutionError({
      kind,
      message: describeExecutionFailure(kind, error, {
        attempts: this.attempts.length,
        partialCharacters: this.deliveredText.length,
        tried: [...new Set(this.attempts.map((attempt) => attempt.modelId))],
        deadlinePassed: this.clock.now() >= this.stopAt,
        budgetRefusal: refusal?.reason,
      }),
      budgetRefusal: refusal,
      cause: this.cancelled ? undefined : error,
      partialText: this.deliveredText,
      attempts: this.attempts,
      skipped: this.skipped,
      contributors: this.contributors,
      decision: this.decision,
    });
    this.detach();
    this.channel.fail(executionError);
    this.rejectResult(executionError);
    this.emitEnd('error', kind);
  }

  /**
   * The error the caller is told about: the one that cut the visible answer off, else the last
   * error (a content-filter refusal stays, for its reason), else, if time ran out before any
   * attempt failed, a timeout.
   */
  private failureToReport(): ProviderError | undefined {
    const error = this.interruption ?? this.headline;
    if (error !== undefined || this.clock.now() < this.stopAt) return error;
    return new ProviderError({
      kind: 'timeout',
      message:
        'The request deadline passed before any model could be tried: raise the deadline or the latency budget.',
    });
  }

  private answerWithSafeMessage(error: ProviderError | undefined): void {
    const fallback = this.crisisFallback;
    const text = crisisFallbackText(fallback);
    const delta = this.deliveredText === '' ? text : `\n\n${text}`;
    this.deliveredText += delta;
    this.channel.push({ type: 'text-delta', delta });
    const result = this.buildResult({
      finishReason: { unified: 'other', raw: 'safe-message' },
      answeredBy: undefined,
      toolCalls: [],
      fallback: 'safe-message',
      failure: error,
    });
    result.crisisResources = [...fallback.resources];
    this.settle(result, 'safe-message', error?.kind ?? 'no_candidate');
  }

  private buildResult(
    ending: Pick<ExecutionResult, 'finishReason' | 'answeredBy' | 'toolCalls' | 'fallback' | 'failure'>,
  ): ExecutionResult {
    const { usage, cost } = billedTotals(this.attempts);
    return {
      decision: this.decision,
      reselections: this.reselections,
      text: this.deliveredText,
      toolCalls: ending.toolCalls,
      finishReason: ending.finishReason,
      usage,
      cost,
      attempts: this.attempts,
      skipped: this.skipped,
      answeredBy: ending.answeredBy,
      contributors: this.contributors,
      fallback: ending.fallback,
      crisisResources: undefined,
      failure: ending.failure,
      startedAt: this.startedAt,
      endedAt: this.clock.now(),
    };
  }

  private settle(
    result: ExecutionResult,
    outcome: 'ok' | 'safe-message',
    errorKind: ExecutionErrorKind | undefined,
  ): void {
    this.detach();
    this.channel.push({
      type: 'finish',
      finishReason: result.finishReason,
      usage: result.usage,
      fallback: result.fallback,
      result,
    });
    this.channel.end();
    this.resolveResult(result);
    this.emitEnd(outcome, errorKind);
  }

  private emitEnd(outcome: 'ok' | 'safe-message' | 'error', errorKind: ExecutionErrorKind | undefined): void {
    if (this.onEvent === undefined) return;
    const now = this.clock.now();
    this.emit({
      type: 'execution-end',
      at: now,
      executionId: this.executionId,
      outcome,
      errorKind,
      attempts: this.attempts.length,
      elapsedMs: now - this.startedAt,
    });
  }

  private detach(): void {
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  /** A bug in the engine must still end the execution, never leave the caller waiting forever. */
  private failUnexpectedly(error: unknown): void {
    const round = this.round;
    if (round !== undefined && !round.closed) for (const run of round.runs) run.cancel('aborted');
    const cause = new ProviderError({
      kind: 'server',
      message: `The engine failed unexpectedly: ${error instanceof Error ? error.message : String(error)}. Report this as a bug.`,
      cause: error,
    });
    this.headline = cause;
    this.fail();
  }
}
