import type { ProviderErrorKind } from '@switchboard/core';

/**
 * What the engine does after an attempt failed.
 * - `retry`: the same model again after `delayMs` (the jittered backoff, or the Retry-After).
 * - `retry-without-prefill`: the same model again at once, continuing by instruction instead.
 * - `fail-over`: rule this model out and go on with the next candidate.
 * - `fail-over-other-provider`: rule out every candidate of this model's provider.
 * - `fail-over-same-tier-or-safer`: rule this model out and every candidate of a lower safety tier.
 * - `reselect`: rule this model out and ask the host for candidates with a larger window.
 * - `stop`: the request itself is the problem; no other model would do better.
 */
export type FailureStep =
  | { type: 'retry'; delayMs: number }
  | { type: 'retry-without-prefill' }
  | { type: 'fail-over' }
  | { type: 'fail-over-other-provider' }
  | { type: 'fail-over-same-tier-or-safer' }
  | { type: 'reselect' }
  | { type: 'stop' };

/** What the decision about one failure depends on. */
export interface FailureFacts {
  /** The kind of the error that ended the attempt (the engine's deadlines included). */
  kind: ProviderErrorKind;
  /** The provider's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs: number | undefined;
  /** Failures this model already had in this execution, before this one. */
  earlierFailuresOnModel: number;
  /** The attempt continued a partial answer with an assistant prefill. */
  wasPrefill: boolean;
  /** Text of this attempt had reached the caller before it failed. */
  midStream: boolean;
  /** The policy's `contentFilterFailoverSameTierOrSafer`. */
  contentFilterFailover: boolean;
  /** Milliseconds left before the execution must stop trying. */
  remainingMs: number;
  /** The jittered backoff drawn for this failure. */
  backoffMs: number;
  /** Longest Retry-After worth waiting out on the same model. */
  maxRetryAfterWaitMs: number;
}

const retry = (delayMs: number): FailureStep => ({ type: 'retry', delayMs });
const failOver: FailureStep = Object.freeze({ type: 'fail-over' });

/**
 * The engine's rules for each error kind, as a pure function:
 *
 * - a prefill continuation refused as `prefill_unsupported` or `bad_request`: the same model again
 *   without prefill (the registry was wrong about it, or the provider changed);
 * - `rate_limited`: wait out the Retry-After on the same model when it is short enough and fits
 *   the remaining time, otherwise fail over (no Retry-After means no known end: fail over);
 * - a first `server`, `network`, `malformed_response` or `stream_cut` (before any text reached the
 *   caller): one retry on the same model after a jittered backoff; a repeated failure fails over;
 * - `overloaded`, `timeout` (a silent route: never retried on the same model) and `stream_stall`:
 *   fail over;
 * - anything after text reached the caller: fail over, and the next model continues the answer;
 * - `context_length`: never the same model again; reselect for a larger window;
 * - `content_filter`: never the same model again; fail over to an equally safe or safer model when
 *   the policy allows it, else stop with the provider's reason;
 * - `auth`: the key of one provider is refused, which says nothing about other providers' keys, so
 *   the engine fails over to candidates of *other* providers rather than stopping (a production
 *   engine should not turn one revoked key into an outage; the event and the attempt still say
 *   `auth`, so the operator sees it);
 * - `bad_request`: stop, the request itself is malformed and another model would refuse it too;
 * - `aborted` without the caller cancelling (an adapter gave up on its own) and a
 *   `prefill_unsupported` on a request without prefill: fail over.
 */
export function failureStep(facts: FailureFacts): FailureStep {
  const { kind } = facts;
  if (facts.wasPrefill && (kind === 'prefill_unsupported' || kind === 'bad_request')) {
    return { type: 'retry-without-prefill' };
  }
  switch (kind) {
    case 'context_length':
      return { type: 'reselect' };
    case 'content_filter':
      return facts.contentFilterFailover ? { type: 'fail-over-same-tier-or-safer' } : { type: 'stop' };
    case 'auth':
      return { type: 'fail-over-other-provider' };
    case 'bad_request':
      return { type: 'stop' };
    case 'rate_limited':
      return rateLimitStep(facts);
    case 'server':
    case 'network':
    case 'malformed_response':
    case 'stream_cut':
      if (facts.midStream || facts.earlierFailuresOnModel > 0) return failOver;
      return facts.backoffMs < facts.remainingMs ? retry(facts.backoffMs) : failOver;
    case 'overloaded':
    case 'timeout':
    case 'stream_stall':
    case 'aborted':
    case 'prefill_unsupported':
      return failOver;
  }
}

function rateLimitStep(facts: FailureFacts): FailureStep {
  const wait = facts.retryAfterMs;
  if (facts.midStream || facts.earlierFailuresOnModel > 0 || wait === undefined) return failOver;
  if (wait > facts.maxRetryAfterWaitMs || wait >= facts.remainingMs) return failOver;
  return retry(wait);
}
