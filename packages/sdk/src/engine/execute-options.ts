import type {
  ChatModelAdapterV1,
  ChatRequest,
  Decision,
  ProviderError,
  RegistrySnapshot,
  StatsView,
} from '@switchboard/core';
import type { AttemptAdmissionHook } from './attempt-admission.ts';
import type { CircuitRegistry } from './circuit-registry.ts';
import type { CrisisFallback } from './crisis-fallback.ts';
import type { EngineClock } from './engine-clock.ts';
import type { EngineEventListener } from './engine-event.ts';
import type { EngineRegistry } from './engine-registry.ts';

/**
 * The adapter of each model, by registry model id. A map for a fixed set; a function for hosts that
 * build adapters lazily (from `ProviderSpec`s) or share one adapter between models. A candidate
 * without an adapter is skipped (`no-adapter`), not fatal.
 */
export type EngineAdapters =
  ReadonlyMap<string, ChatModelAdapterV1> | ((modelId: string) => ChatModelAdapterV1 | undefined);

/**
 * What the engine asks the host for after a `context_length` refusal: a new decision for the same
 * request with the measured prompt size. The host merges it into its own `SelectionRequest`
 * (`estimatedInputTokens: Math.max(own, this)`, `excludeModelIds`) and calls `select()` again.
 */
export interface ReselectRequest {
  /** Every model already tried or ruled out for this request. */
  excludeModelIds: string[];
  /**
   * The prompt size the refusal proved, in tokens: the count the provider stated when it did,
   * else at least what the refusing model's window could not hold.
   */
  estimatedInputTokens: number;
  /** The refusal itself. */
  cause: ProviderError;
}

/** Tunes the adaptive first-token deadline (used when `stats` is given). */
export interface AdaptiveFirstTokenOptions {
  /** Multiplies the model's observed p95 time to first token. Default 3. */
  factor?: number | undefined;
  /**
   * Never below this, so a model that was fast so far is not cut off by ordinary jitter. Default
   * 1,000 ms. The policy's `firstTokenMs` stays the ceiling either way.
   */
  minimumMs?: number | undefined;
}

/** Tunes retries on the same model. */
export interface RetryOptions {
  /**
   * Mean pause before retrying after a first `server`, `network`, `malformed_response` or
   * pre-content `stream_cut`; each pause is drawn uniformly from half to one and a half times it
   * (jitter), so many clients failing together do not retry together. Default 250 ms.
   */
  backoffMs?: number | undefined;
  /**
   * Longest Retry-After the engine waits out on the same model; a longer one fails over at once,
   * because another model answers sooner than a rate-limited one recovers. Default 2,000 ms. A
   * Retry-After that opens the model's circuit (by default 1 s or more opens it for at least the
   * breaker's cooldown) fails over at once too, when the registry can tell (`statusOf`).
   */
  maxRetryAfterWaitMs?: number | undefined;
}

/**
 * Everything `execute` needs. Only `decision`, `request`, `adapters` and `registry` are required;
 * the rest have production defaults.
 */
export interface ExecuteOptions {
  /** The ranked candidates to walk, the sampling parameters and the risk level (crisis arms the fail-safe). */
  decision: Decision;
  /**
   * The conversation and request options. Sampling parameters the request leaves unset come from
   * `decision.parameters`; `maxOutputTokens` is clamped to each model's maximum.
   * `request.abortSignal` cancels the execution when `signal` is not given.
   */
  request: ChatRequest;
  /** How to call each candidate. */
  adapters: EngineAdapters;
  /**
   * Model specs (prices, capabilities, safety tiers) and the decision's routing policy (timeouts,
   * content-filter failover rule): a registry snapshot, or an {@link EngineRegistry}.
   */
  registry: RegistrySnapshot | EngineRegistry;
  /** Default: real timers. Tests pass `engineClockFromSleep(createVirtualClock())`. */
  clock?: EngineClock | undefined;
  /** Uniform numbers in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: (() => number) | undefined;
  /** Cancels the whole execution (the player left, the HTTP client disconnected). */
  signal?: AbortSignal | undefined;
  /**
   * The caller's total deadline in milliseconds from the call: the whole execution, every attempt,
   * wait and fallback included, ends within it. Default: the policy's `timeouts.totalMs`.
   */
  deadlineMs?: number | undefined;
  /**
   * Most attempts in total (retries, failovers, hedges, handoffs, prefill fallbacks), a bound on
   * cost and on the load a failing request puts on providers. Default 6.
   */
  maxAttempts?: number | undefined;
  /**
   * The circuit breakers to consult and feed. Default: {@link sharedCircuitRegistry}, one per
   * process. `null` turns breakers off (one-off scripts).
   */
  circuits?: CircuitRegistry | null | undefined;
  /**
   * Observed statistics per model and task: with it, the first-token deadline of a model is its p95
   * time to first token × `adaptiveFirstToken.factor`, clamped to the policy's `firstTokenMs`, so a
   * model that is normally fast fails over sooner when it goes silent.
   */
  stats?: StatsView | undefined;
  /** Tunes the adaptive first-token deadline; only read when `stats` is given. */
  adaptiveFirstToken?: AdaptiveFirstTokenOptions | undefined;
  /** Tunes backoff and Retry-After waits on the same model. */
  retry?: RetryOptions | undefined;
  /**
   * Called after a `context_length` refusal to get candidates with a larger window. Without it the
   * engine keeps walking the decision, skipping candidates whose window is not larger than the
   * refusing model's; the same happens when `reselect` throws.
   */
  reselect?: ((request: ReselectRequest) => Decision | Promise<Decision>) | undefined;
  /** The safe message for a player at crisis risk when every model fails. Default {@link defaultCrisisFallback}. */
  crisisFallback?: CrisisFallback | undefined;
  /**
   * At crisis risk, attempts stop this long before the deadline so the safe message is delivered
   * inside it. Default 250 ms, and never more than a quarter of the deadline.
   */
  crisisReserveMs?: number | undefined;
  /** Receives telemetry and health events (no message content). */
  onEvent?: EngineEventListener | undefined;
  /** Copied into every event so the host can correlate them. */
  executionId?: string | undefined;
  /**
   * The budget guard, asked before every attempt (first, retry, failover, hedge, handoff) with the
   * attempt's worst-case cost, and told what each admitted attempt cost when it ends. A refused
   * candidate is skipped (`budget`) and the next one is asked; see {@link AttemptAdmissionHook}.
   * Unset: every attempt is admitted.
   */
  admitAttempt?: AttemptAdmissionHook | undefined;
}
