import type { FinishReason, ToolCall, Usage } from '@switchboard/core';

/** OpenAI's finish reasons: why the answer ended, in the words OpenAI clients branch on. */
export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * Core's unified finish reason as OpenAI's. `other` (a provider's reason we have no word for, and
 * the crisis safe message, which is a complete answer) and `error` read as `stop`: the engine never
 * returns an answer it knows to be cut off, so nothing that reaches here is a truncation.
 */
export function openAiFinishReason(reason: FinishReason): OpenAiFinishReason {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI's `usage`. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/**
 * The usage of an answer in OpenAI's shape, or `undefined` when the providers reported no counts
 * at all (a count they did not report is 0 here, since OpenAI's clients expect numbers; our own
 * ledger keeps it unknown). Cached and reasoning tokens are given only when known.
 */
export function openAiUsage(usage: Usage): OpenAiUsage | undefined {
  const prompt = usage.inputTokens.total;
  const completion = usage.outputTokens.total;
  if (prompt === undefined && completion === undefined) return undefined;
  const result: OpenAiUsage = {
    prompt_tokens: prompt ?? 0,
    completion_tokens: completion ?? 0,
    total_tokens: (prompt ?? 0) + (completion ?? 0),
  };
  if (usage.inputTokens.cacheRead !== undefined) {
    result.prompt_tokens_details = { cached_tokens: usage.inputTokens.cacheRead };
  }
  if (usage.outputTokens.reasoning !== undefined) {
    result.completion_tokens_details = { reasoning_tokens: usage.outputTokens.reasoning };
  }
  return result;
}

/** One tool call as OpenAI writes it in a message. */
export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export function openAiToolCall(call: ToolCall): OpenAiToolCall {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/** A non-streaming answer: OpenAI's `chat.completion`. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  /** Unix seconds. */
  created: number;
  /** The registry id of the model that answered (`switchboard/safe-message` for the fallback). */
  model: string;
  choices: [
    {
      index: 0;
      message: {
        role: 'assistant';
        /** `null` when the answer is tool calls only, as OpenAI does. */
        content: string | null;
        refusal: null;
        tool_calls?: OpenAiToolCall[];
      };
      logprobs: null;
      finish_reason: OpenAiFinishReason;
    },
  ];
  usage?: OpenAiUsage;
}

/** What the answer consisted of. */
export interface CompletionContent {
  id: string;
  created: number;
  model: string;
  text: string;
  toolCalls: readonly ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

export function chatCompletion(content: CompletionContent): ChatCompletion {
  const hasCalls = content.toolCalls.length > 0;
  const completion: ChatCompletion = {
    id: content.id,
    object: 'chat.completion',
    created: content.created,
    model: content.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasCalls && content.text === '' ? null : content.text,
          refusal: null,
          ...(hasCalls ? { tool_calls: content.toolCalls.map(openAiToolCall) } : {}),
        },
        logprobs: null,
        finish_reason: openAiFinishReason(content.finishReason),
      },
    ],
  };
  const usage = openAiUsage(content.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

/** What changes from one streamed chunk to the next. */
export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: (OpenAiToolCall & { index: number })[];
}

/** One streamed chunk: OpenAI's `chat.completion.chunk`. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: 0; delta: ChunkDelta; logprobs: null; finish_reason: OpenAiFinishReason | null }[];
  /** With `include_usage`: `null` on every chunk but the last, which has no choices. */
  usage?: OpenAiUsage | null;
}
