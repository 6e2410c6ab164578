import type {
  Cost,
  Decision,
  FinishReason,
  ProviderError,
  ProviderErrorKind,
  ToolCall,
  Usage,
} from '@switchboard/core';

/**
 * How an attempt ended: `ok`, the kind of the error that ended it (the engine's own deadlines end
 * attempts as `timeout` or `stream_stall`; a cancelled execution as `aborted`), or `hedge-lost`
 * when another attempt produced content first and this one was aborted.
 */
export type AttemptOutcome = 'ok' | ProviderErrorKind | 'hedge-lost';

/**
 * Why an attempt was started, so a dashboard can tell a retry from a failover from a handoff.
 * - `initial`: the first attempt of the execution.
 * - `retry`: the same model again after an error it may recover from (first `server`, `network`,
 *   a `rate_limited` whose Retry-After fits the budget).
 * - `failover`: the next candidate, before any text reached the caller.
 * - `hedge`: the next candidate, started beside a first attempt that had no token by `hedgeMs`.
 * - `handoff`: the next candidate continuing an answer that broke off after text was delivered.
 * - `prefill-fallback`: the same model again, continuing without prefill because it rejected it.
 */
export type AttemptTrigger = 'initial' | 'retry' | 'failover' | 'hedge' | 'handoff' | 'prefill-fallback';

/** Which of the engine's deadlines ended an attempt. */
export type DeadlineName = 'headers' | 'first-token' | 'idle' | 'total';

/** How a continuation attempt asked the model to go on (see core's `continuation`). */
export type ContinuationMode = 'prefill' | 'instruct';

/**
 * One call to one model, as it happened. Timings are in milliseconds of the engine's clock (epoch
 * milliseconds with the real clock). Never holds message content: it goes to telemetry as it is.
 */
export interface AttemptRecord {
  /** Position in start order, from 0. */
  index: number;
  /** Registry id of the model called: the key of its breaker, price and statistics. */
  modelId: string;
  /** The adapter's provider id. */
  provider: string;
  trigger: AttemptTrigger;
  /** Set when the attempt continued a partial answer; `undefined` for a fresh request. */
  continuation: ContinuationMode | undefined;
  outcome: AttemptOutcome;
  /** The error that ended the attempt; `undefined` for `ok`. */
  error: ProviderError | undefined;
  /** The deadline that ended the attempt, when one did. */
  deadline: DeadlineName | undefined;
  /** True when the circuit was half-open and this attempt was its single probe. */
  probe: boolean;
  /** When the request was sent. */
  startedAt: number;
  /** When the stream opened (the provider's response headers); `undefined` if it never did. */
  headersAt: number | undefined;
  /** When the first content (text or tool-call) arrived; `undefined` if none did. */
  firstTokenAt: number | undefined;
  /** When the attempt ended: its finish, its error, its deadline, or its abort. */
  endedAt: number;
  /** Characters of text the model produced in this attempt (a count, never the text). */
  outputCharacters: number;
  /** Token counts as the provider reported them; `undefined` when it reported none. */
  usage: Usage | undefined;
  /**
   * Whether the ledger should charge this attempt. True for a completed attempt (priced from the
   * usage the provider reported) and for a `hedge-lost` attempt, which we started and aborted on
   * purpose, so the provider has processed the prompt and may bill it (its cost is `unknown` unless
   * usage is known, never free). False for every attempt that ended in an error: it is never billed
   * as a completion, because providers report no usage for a failed or cut call and we must not
   * invent counts; if a provider ever reports usage with an error, the attempt is billed from it.
   */
  billed: boolean;
  /** `price(usage, model.price)` when billed; `undefined` when not billed. */
  cost: Cost | undefined;
}

/** Why a candidate of the decision was passed over without an attempt. */
export type SkipReason =
  /** Its circuit is open (cooling down after failures). */
  | 'circuit-open'
  /** Its circuit is half-open and another attempt is the probe. */
  | 'probe-in-flight'
  /** The host has no adapter for it. */
  | 'no-adapter'
  /** A content-filter failover needs an equal or higher safety tier than it has (or its tier is unknown). */
  | 'safety-tier'
  /** Its provider refused our credentials for an earlier candidate (`auth`). */
  | 'provider-auth'
  /** A context overflow needs a larger window than it has. */
  | 'context-window'
  /** The next attempt it may take (backoff, Retry-After, attempt spacing) falls after the deadline. */
  | 'no-time'
  /** The host's budget guard refused its worst-case cost (see `ExecuteOptions.admitAttempt`). */
  | 'budget';

/** A candidate passed over, and why. */
export interface SkippedCandidate {
  /** The candidate's registry id. */
  modelId: string;
  /** What ruled it out. */
  reason: SkipReason;
}

/** The money an execution cost, summed over its billed attempts. */
export interface ExecutionCost {
  /** Integer micro-dollars of the attempts whose cost is known. */
  micros: number;
  /** False when a billed attempt's cost is unknown (no price, or no usage): then `micros` is a floor. */
  complete: boolean;
}

/** Set when the text did not come from a model. */
export type FallbackKind = 'safe-message';

/** What an execution produced: the answer, who wrote it, every attempt and what it cost. */
export interface ExecutionResult {
  /** The decision the execution started from. */
  decision: Decision;
  /** Decisions made on the way (after a context overflow), in order. */
  reselections: Decision[];
  /**
   * The whole text the caller received, stitched across handoffs with no seam, duplicate or gap.
   * With `fallback: 'safe-message'` it ends with the safe message.
   */
  text: string;
  /** Complete tool calls of the answering model. */
  toolCalls: ToolCall[];
  /**
   * Why the answer ended, as the answering model said (`length` is reported as `length`, never as
   * a complete answer). A safe message ends with `{ unified: 'other', raw: 'safe-message' }`.
   */
  finishReason: FinishReason;
  /** Token counts summed over billed attempts (a count stays `undefined` if no attempt reported it). */
  usage: Usage;
  /** What the billed attempts cost together (failed, unbilled attempts add nothing). */
  cost: ExecutionCost;
  /** Every attempt in start order, including failed, retried and hedge-lost ones. */
  attempts: AttemptRecord[];
  /** Candidates passed over without an attempt. */
  skipped: SkippedCandidate[];
  /** The model whose finish ended the answer; `undefined` when a fallback answered. */
  answeredBy: string | undefined;
  /** Every model whose output is in `text` or `toolCalls`, in order of contribution. */
  contributors: string[];
  /** `safe-message` when no model could answer a player at crisis risk; otherwise `undefined`. */
  fallback: FallbackKind | undefined;
  /** The resources shown with a safe message, for a game that renders them itself. */
  crisisResources: string[] | undefined;
  /** With a fallback: the error that made every model fail. */
  failure: ProviderError | undefined;
  /** When `execute` was called, on the engine's clock. */
  startedAt: number;
  /** When the answer was complete (or the fallback given); always within the deadline's reach. */
  endedAt: number;
}

/**
 * What a streaming caller reads. Text arrives as it is produced (stitched across handoffs); tool
 * calls arrive complete, once the model that made them finished, because half a tool call cannot
 * be handed to another model; `finish` comes last. A failure ends iteration by throwing an
 * `ExecutionError` instead of a `finish`, so a cut answer never looks complete.
 */
export type EnginePart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | {
      type: 'finish';
      /** As in {@link ExecutionResult.finishReason}. */
      finishReason: FinishReason;
      /** As in {@link ExecutionResult.usage}. */
      usage: Usage;
      /** `safe-message` when the crisis fallback answered. */
      fallback: FallbackKind | undefined;
      /** Everything about the execution, the same object `result` resolves to. */
      result: ExecutionResult;
    };

/**
 * A running execution. Iterate it to stream (one consumer); await `result` for the whole answer.
 * Both can be used together. `result` rejects with an `ExecutionError` when no answer could be
 * produced; that rejection is marked as handled, so a streaming caller that never reads `result`
 * causes no unhandled-rejection crash.
 */
export interface EngineExecution extends AsyncIterable<EnginePart> {
  readonly result: Promise<ExecutionResult>;
  /**
   * Cancels the execution: running attempts are aborted (`aborted`), nothing else is started, and
   * `result` rejects with kind `aborted`. Leaving a `for await` loop early does the same.
   */
  abort(): void;
}
