import {
  CANONICAL_ANSWER,
  CANONICAL_JSON_ANSWER,
  CANONICAL_TOOL_ARGUMENT_CHUNKS,
} from './canonical-answer.ts';
import type { FaultBehaviour } from './fault-behaviour.ts';
import { splitIntoTokens } from './token-chunks.ts';

/** The error answers a behaviour can give; each route renders them in its own wire format. */
export type FaultErrorName =
  | 'rate-limited'
  | 'server'
  | 'unavailable'
  | 'context-length'
  | 'content-policy'
  | 'prefill-rejected'
  | 'auth'
  | 'unknown-model'
  | 'bad-request';

/** An error answer and the facts its wire rendering needs. */
export interface FaultError {
  name: FaultErrorName;
  /** Set for `rate-limited` when the answer carries Retry-After headers. */
  retryAfterMs?: number | undefined;
  /** What was wrong with the request, for `bad-request`. */
  detail?: string | undefined;
}

/** How a (streamed) answer ends. Non-streamed answers map these onto the body. */
export type FaultEnding =
  | { type: 'complete' }
  | { type: 'no-done' }
  | { type: 'cut'; afterTokens: number }
  | { type: 'drop'; afterTokens: number }
  | { type: 'stall'; afterTokens: number };

/** What to do with one request. */
export type FaultDecision =
  { type: 'error'; error: FaultError } | { type: 'reset' } | { type: 'hang' } | FaultAnswerDecision;

/** A decision to answer, and how the answer misbehaves on the way. */
export interface FaultAnswerDecision {
  type: 'answer';
  content: 'text' | 'tool-call' | 'json';
  /** Extra wait before the first token, ms. */
  firstTokenDelayMs: number;
  ending: FaultEnding;
  /** Insert one event that is not valid JSON in the middle of the stream. */
  malformedChunk: boolean;
}

/** What a behaviour needs to know about the request. */
export interface FaultRequestFacts {
  /** Role of the last message of the conversation (`assistant` means a prefill). */
  lastMessageRole: string | undefined;
  /** Text of the last message when it is an assistant turn, so a prefill can be continued. */
  prefillText: string | undefined;
  /** The first tool of the request, which `healthy-tools` calls. */
  firstToolName: string | undefined;
  /** The most output tokens the request allows. */
  maxTokens: number | undefined;
}

/** Where one request stands within its scope, read when it arrives. */
export interface FaultScopeVisit {
  /** Arrival time of the scope's first request, epoch ms. */
  firstArrivedAt: number;
  /** Requests of this scope before this one. */
  previousRequests: number;
}

/**
 * Per-scope memory of stateful behaviours (`server-error-once`, `unavailable-for-<ms>`), keyed by
 * the full model name so that `#scope` suffixes keep tests apart.
 */
export class FaultScopes {
  private readonly visits = new Map<string, { firstArrivedAt: number; requests: number }>();

  /** Records a request of the scope `name` arriving at `now` and says where it stands. */
  enter(name: string, now: number): FaultScopeVisit {
    const state = this.visits.get(name) ?? { firstArrivedAt: now, requests: 0 };
    const visit = { firstArrivedAt: state.firstArrivedAt, previousRequests: state.requests };
    this.visits.set(name, { firstArrivedAt: state.firstArrivedAt, requests: state.requests + 1 });
    return visit;
  }

  /** Forgets every scope. */
  clear(): void {
    this.visits.clear();
  }
}

const healthyAnswer: FaultAnswerDecision = {
  type: 'answer',
  content: 'text',
  firstTokenDelayMs: 0,
  ending: { type: 'complete' },
  malformedChunk: false,
};

/**
 * Decides what a behaviour does with one request. Pure: the server and the in-process simulator
 * both call it, so they fail in exactly the same ways.
 */
export function decideFault(
  behaviour: FaultBehaviour,
  visit: FaultScopeVisit,
  now: number,
  facts: FaultRequestFacts,
): FaultDecision {
  switch (behaviour.type) {
    case 'healthy':
      return healthyAnswer;
    case 'healthy-tools':
      return facts.firstToolName === undefined ? healthyAnswer : { ...healthyAnswer, content: 'tool-call' };
    case 'healthy-json':
      return { ...healthyAnswer, content: 'json' };
    case 'rate-limit-retry-after':
      return { type: 'error', error: { name: 'rate-limited', retryAfterMs: behaviour.retryAfterMs } };
    case 'rate-limit-persistent':
      return { type: 'error', error: { name: 'rate-limited' } };
    case 'server-error-once':
      return visit.previousRequests === 0 ? { type: 'error', error: { name: 'server' } } : healthyAnswer;
    case 'unavailable':
      return { type: 'error', error: { name: 'unavailable' } };
    case 'unavailable-for':
      return now - visit.firstArrivedAt < behaviour.durationMs
        ? { type: 'error', error: { name: 'unavailable' } }
        : healthyAnswer;
    case 'reset-before-headers':
      return { type: 'reset' };
    case 'never-answers':
      return { type: 'hang' };
    case 'slow-first-token':
      return { ...healthyAnswer, firstTokenDelayMs: behaviour.delayMs };
    case 'cut-after':
      return { ...healthyAnswer, ending: { type: 'cut', afterTokens: behaviour.tokens } };
    case 'drop-after':
      return { ...healthyAnswer, ending: { type: 'drop', afterTokens: behaviour.tokens } };
    case 'stall-after':
      return { ...healthyAnswer, ending: { type: 'stall', afterTokens: behaviour.tokens } };
    case 'malformed-chunk':
      return { ...healthyAnswer, malformedChunk: true };
    case 'no-done':
      return { ...healthyAnswer, ending: { type: 'no-done' } };
    case 'context-length':
      return { type: 'error', error: { name: 'context-length' } };
    case 'content-policy':
      return { type: 'error', error: { name: 'content-policy' } };
    case 'rejects-prefill':
      return facts.lastMessageRole === 'assistant'
        ? { type: 'error', error: { name: 'prefill-rejected' } }
        : healthyAnswer;
    case 'auth-error':
      return { type: 'error', error: { name: 'auth' } };
  }
}

/** The content of an answer, in the chunks it is streamed in. */
export type FaultAnswer =
  | { type: 'text'; tokens: readonly string[]; finish: 'stop' | 'length' }
  | { type: 'tool-call'; name: string; argumentChunks: readonly string[] };

function continuePrefill(answer: string, facts: FaultRequestFacts): string {
  const prefill = facts.prefillText;
  if (facts.lastMessageRole !== 'assistant' || prefill === undefined || prefill === '') return answer;
  return answer.startsWith(prefill) ? answer.slice(prefill.length) : answer;
}

/**
 * Builds the content of an answer. A trailing assistant turn that is a prefix of the answer is
 * continued (only the rest is sent), as a provider that supports prefill does; `maxTokens` truncates
 * with a `length` finish.
 */
export function buildFaultAnswer(
  content: 'text' | 'tool-call' | 'json',
  facts: FaultRequestFacts,
): FaultAnswer {
  if (content === 'tool-call' && facts.firstToolName !== undefined) {
    return { type: 'tool-call', name: facts.firstToolName, argumentChunks: CANONICAL_TOOL_ARGUMENT_CHUNKS };
  }
  const tokens = splitIntoTokens(
    continuePrefill(content === 'json' ? CANONICAL_JSON_ANSWER : CANONICAL_ANSWER, facts),
  );
  if (facts.maxTokens !== undefined && facts.maxTokens >= 0 && tokens.length > facts.maxTokens) {
    return { type: 'text', tokens: tokens.slice(0, facts.maxTokens), finish: 'length' };
  }
  return { type: 'text', tokens, finish: 'stop' };
}

/** A short word for what the server did, recorded in each attempt. */
export function describeDecision(decision: FaultDecision, status: number | undefined): string {
  if (decision.type === 'error') return `http-${status ?? 0}`;
  if (decision.type !== 'answer') return decision.type;
  if (decision.ending.type === 'complete') return decision.malformedChunk ? 'malformed' : 'ok';
  return decision.ending.type;
}

/** True when the ending breaks the answer off (cut, drop, stall): no finish is ever sent. */
export function endsEarly(ending: FaultEnding): ending is Extract<FaultEnding, { afterTokens: number }> {
  return ending.type === 'cut' || ending.type === 'drop' || ending.type === 'stall';
}

/** How many of `total` pieces are sent before the ending. */
export function piecesBeforeEnding(ending: FaultEnding, total: number): number {
  return endsEarly(ending) ? Math.min(ending.afterTokens, total) : total;
}

/** The pieces an answer is streamed in: text tokens or tool-argument chunks. */
export function answerPieces(answer: FaultAnswer): readonly string[] {
  return answer.type === 'text' ? answer.tokens : answer.argumentChunks;
}
