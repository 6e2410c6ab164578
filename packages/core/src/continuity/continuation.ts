import type { ChatMessage, ChatRequest } from '../spec/chat-model-adapter.ts';
import type { ModelCapabilities } from '../registry/model-spec.ts';

/**
 * How the next model is asked to finish a cut answer.
 * - `prefill`: the partial answer is the start of the model's own turn; it continues mid-token.
 * - `instruct`: the partial answer is a finished assistant turn followed by a user turn asking for
 *   the rest; the model may repeat or reword the seam, which `stitch` repairs.
 * - `restart`: nothing visible was produced yet, so the original request is simply sent again.
 */
export type ContinuationMode = 'prefill' | 'instruct' | 'restart';

/** Choices the engine makes about a continuation. */
export interface ContinuationOptions {
  /**
   * `auto` (default) uses prefill when the target supports it. `instruct` is for the retry after a
   * model rejected prefill (`prefill_unsupported`) although the registry said it supports it;
   * `prefill` forces prefill regardless of the registry. Empty partial text always restarts.
   */
  mode?: 'auto' | 'prefill' | 'instruct' | undefined;
}

/** The request that lets the next model finish the answer the previous one started. */
export interface ContinuationPlan {
  mode: ContinuationMode;
  /** The messages to send: the original ones plus the partial answer (and, in `instruct`, the ask). */
  messages: ChatMessage[];
  /** The original request with `messages` replaced; everything else (tools, limits, signal) kept. */
  request: ChatRequest;
}

/** How much of the partial answer the `instruct` ask quotes, so the model finds the exact spot. */
const quotedTailLength = 160;

/**
 * Builds the request that continues a cut answer on `target`, so the player sees one answer with
 * no seam. Join the continuation to `partialText` with {@link stitch} (or a stream stitcher), which
 * removes text the model repeated and repairs whitespace at the seam.
 *
 * When the original messages already end with an assistant turn (a prefill of the request), the
 * partial text is appended to it: the answer continues that prefill. In `prefill` mode trailing
 * whitespace is trimmed from the prefilled turn, because Anthropic rejects a final assistant turn
 * ending in whitespace; the model then writes that whitespace again and `stitch` drops the repeat.
 */
export function continuation(
  request: ChatRequest | readonly ChatMessage[],
  partialText: string,
  target: Pick<ModelCapabilities, 'assistantPrefill'>,
  options: ContinuationOptions = {},
): ContinuationPlan {
  const original: ChatRequest = isMessageList(request) ? { messages: [...request] } : request;
  if (partialText.trim() === '') return plan('restart', original, [...original.messages]);

  const wanted = options.mode ?? 'auto';
  const usePrefill = wanted === 'prefill' || (wanted === 'auto' && target.assistantPrefill);
  const { before, prefilled } = splitTrailingAssistant(original.messages);
  const answerSoFar = prefilled + partialText;
  if (usePrefill) {
    return plan('prefill', original, [...before, { role: 'assistant', content: answerSoFar.trimEnd() }]);
  }
  return plan('instruct', original, [
    ...before,
    { role: 'assistant', content: answerSoFar },
    { role: 'user', content: continuationInstruction(answerSoFar) },
  ]);
}

/**
 * The continuation for a model that rejected prefill: the same as {@link continuation} in
 * `instruct` mode, named for the engine's retry path.
 */
export function continuationWithoutPrefill(
  request: ChatRequest | readonly ChatMessage[],
  partialText: string,
): ContinuationPlan {
  return continuation(request, partialText, { assistantPrefill: false }, { mode: 'instruct' });
}

/**
 * The user-turn ask of `instruct` mode. A user turn works for every model, with or without a
 * system role. It quotes the end of the answer so the model finds the exact spot; a model that
 * repeats the quote anyway is repaired by `stitch`.
 */
export function continuationInstruction(answerSoFar: string): string {
  return (
    'Your previous reply was cut off before it was finished. Continue it from exactly where it stops, ' +
    'even in the middle of a word or sentence. Write only the missing rest: do not repeat any of it, do not ' +
    'add a greeting, preamble, explanation or quotation marks, and keep the same voice, language and format.\n' +
    `The reply so far ends with: "${quotedTail(answerSoFar)}"`
  );
}

function quotedTail(text: string): string {
  if (text.length <= quotedTailLength) return text;
  const tail = text.slice(-quotedTailLength);
  const wordStart = tail.search(/\s/);
  return `…${wordStart >= 0 && wordStart < tail.length - 1 ? tail.slice(wordStart + 1) : tail}`;
}

function splitTrailingAssistant(messages: readonly ChatMessage[]): {
  before: ChatMessage[];
  prefilled: string;
} {
  const last = messages.at(-1);
  if (last?.role === 'assistant' && (last.toolCalls?.length ?? 0) === 0) {
    return { before: messages.slice(0, -1), prefilled: last.content };
  }
  return { before: [...messages], prefilled: '' };
}

function plan(mode: ContinuationMode, original: ChatRequest, messages: ChatMessage[]): ContinuationPlan {
  return { mode, messages, request: { ...original, messages } };
}

function isMessageList(request: ChatRequest | readonly ChatMessage[]): request is readonly ChatMessage[] {
  return Array.isArray(request);
}
