import { adviceFor, type Decision, type ProviderError, type ProviderErrorKind } from '@switchboard/core';
import type { AttemptRefused } from './attempt-admission.ts';
import type { AttemptRecord, SkippedCandidate } from './execution-result.ts';

/**
 * Why an execution produced no answer: the kind of the provider error the caller is told about,
 * `no_candidate` when no model could even be tried (the decision was empty, or every candidate
 * was skipped: open circuits, no adapter), or `budget_exceeded` when the host's budget guard
 * refused every candidate that was left (see `ExecuteOptions.admitAttempt`).
 */
export type ExecutionErrorKind = ProviderErrorKind | 'no_candidate' | 'budget_exceeded';

/** Everything an {@link ExecutionError} reports. */
export interface ExecutionErrorDetails {
  /** See {@link ExecutionError.kind}. */
  kind: ExecutionErrorKind;
  /** What went wrong and what to do, in words for the developer reading it. */
  message: string;
  /** The provider error the caller is told about; `undefined` for `no_candidate` and `aborted`. */
  cause: ProviderError | undefined;
  /** Text already delivered to the caller: never a complete answer. */
  partialText: string;
  /** Every attempt, in start order. */
  attempts: AttemptRecord[];
  /** Candidates passed over without an attempt. */
  skipped: SkippedCandidate[];
  /** Models whose text is in `partialText`. */
  contributors: string[];
  /** The decision the execution started from. */
  decision: Decision;
  /** The budget guard's last refusal, when one passed a candidate over. */
  budgetRefusal?: AttemptRefused | undefined;
}

const executionErrorMarker = Symbol.for('switchboard.execution-error');

/**
 * The failure of a whole execution: every candidate failed, was skipped or ran out of time, or the
 * request itself was refused. `kind` says which error the caller is told about:
 *
 * - once text was delivered, the error that cut the visible answer off (a continuation model's own
 *   failure, and above all its rejection of a prefill, never replaces it);
 * - a `content_filter` refusal, once seen, because its `providerMessage` is what the game shows;
 * - otherwise the last error.
 *
 * Checked with {@link isExecutionError} rather than `instanceof`, like `ProviderError`.
 */
export class ExecutionError extends Error {
  /** Which error the caller is told about (see above), or `no_candidate`, or `aborted` on cancel. */
  readonly kind: ExecutionErrorKind;
  /**
   * The provider's own explanation, verbatim. For `content_filter` it is the reason the game can
   * show the player (why the text was refused).
   */
  readonly providerMessage: string | undefined;
  /**
   * Text the caller already received before the failure. It is *not* a complete answer and must
   * never be shown or stored as one.
   */
  readonly partialText: string;
  /** Every attempt, in start order, with outcomes, timings and billing. */
  readonly attempts: AttemptRecord[];
  /** Candidates passed over without an attempt (open circuits, no adapter, ...). */
  readonly skipped: SkippedCandidate[];
  /** Models whose text is in `partialText`. */
  readonly contributors: string[];
  /** The decision the execution started from. */
  readonly decision: Decision;
  /**
   * The budget guard's last refusal: for `budget_exceeded`, which budget refused and when it
   * resets; for other kinds, why a later candidate was not tried.
   */
  readonly budgetRefusal: AttemptRefused | undefined;
  readonly [executionErrorMarker] = true;

  constructor(details: ExecutionErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ExecutionError';
    this.kind = details.kind;
    this.providerMessage = details.cause?.providerMessage;
    this.partialText = details.partialText;
    this.attempts = details.attempts;
    this.skipped = details.skipped;
    this.contributors = details.contributors;
    this.decision = details.decision;
    this.budgetRefusal = details.budgetRefusal;
  }

  /** A description safe to log: counts, kinds and model ids, never the partial text. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      providerMessage: this.providerMessage,
      partialCharacters: this.partialText.length,
      attempts: this.attempts.map((attempt) => ({
        modelId: attempt.modelId,
        outcome: attempt.outcome,
        trigger: attempt.trigger,
      })),
      skipped: this.skipped,
      contributors: this.contributors,
    };
  }
}

/** True for any {@link ExecutionError}, whichever copy of this package created it. */
export function isExecutionError(value: unknown): value is ExecutionError {
  return typeof value === 'object' && value !== null && executionErrorMarker in value;
}

/** What the caller is told, in words: what went wrong, on which models, and what to do. */
export function describeExecutionFailure(
  kind: ExecutionErrorKind,
  cause: ProviderError | undefined,
  facts: {
    attempts: number;
    partialCharacters: number;
    tried: readonly string[];
    deadlinePassed: boolean;
    /** The budget guard's last refusal, in words. */
    budgetRefusal?: string | undefined;
  },
): string {
  const budget =
    facts.budgetRefusal === undefined ? '' : ` A budget refused the other candidates: ${facts.budgetRefusal}`;
  if (kind === 'budget_exceeded') {
    return (
      `No model could be tried within the budget${facts.attempts === 0 ? '' : ` after ${facts.attempts} attempt(s)`}: ` +
      `${facts.budgetRefusal ?? 'a budget refused every candidate.'} Wait for the budget to reset, raise its limit, ` +
      'or ask for a shorter answer (max_tokens) so that a cheaper worst case fits.'
    );
  }
  if (kind === 'no_candidate') {
    return (
      'No model could be tried for this request: the decision had no candidate left (every one was skipped, ' +
      'for instance because its circuit is open or no adapter is configured for it). Check the decision and ' +
      'the registry, or try again once the models have recovered.'
    );
  }
  if (kind === 'aborted') return 'The request was cancelled by the caller before an answer was complete.';
  const tried = facts.tried.length === 0 ? '' : ` Models tried: ${facts.tried.join(', ')}.`;
  const attempts = ` (${facts.attempts} attempt${facts.attempts === 1 ? '' : 's'})`;
  if (kind === 'content_filter') {
    const reason = cause?.providerMessage === undefined ? '' : ` The provider said: ${cause.providerMessage}`;
    return (
      `The request was refused by a provider's content filter and no model of equal or higher safety tier ` +
      `could answer it${attempts}.${reason} Rephrase the request before trying again.${tried}`
    );
  }
  const what = `${cause?.modelId ?? 'the model'} failed with ${kind}: ${adviceFor(kind)}`;
  const deadline = facts.deadlinePassed
    ? ' The request deadline passed before another model could answer.'
    : '';
  if (facts.partialCharacters > 0) {
    return (
      `The answer broke off after ${facts.partialCharacters} characters and no other model could finish it` +
      `${attempts}: ${what}.${deadline} The partial text is not a complete answer; ask again.${tried}${budget}`
    );
  }
  return `No model could answer${attempts}: ${what}.${deadline} Try again later or widen the decision.${tried}${budget}`;
}
