import { adviceFor, ProviderError, type GenerateResult, type ToolCall } from '@switchboard/core';
import type { ErrorContext } from './map-openai-error.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIUsage } from './map-openai-usage.ts';
import { readArray, readRecord, readString } from './wire/lenient-json.ts';

function mapToolCalls(value: unknown): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const [position, entry] of (readArray(value) ?? []).entries()) {
    const call = readRecord(entry);
    const fn = readRecord(call?.function);
    const name = readString(fn?.name);
    if (name === undefined) continue;
    calls.push({
      id: readString(call?.id) ?? `call_${position}`,
      name,
      // Some compatible servers send arguments as an object instead of JSON text.
      arguments: typeof fn?.arguments === 'string' ? fn.arguments : JSON.stringify(fn?.arguments ?? {}),
    });
  }
  return calls;
}

/**
 * Maps a `chat.completion` body to our result. Only the first choice is read (we never ask for
 * more). A body without a choice cannot be an answer and is a `malformed_response`.
 */
export function mapChatCompletion(body: unknown, context: ErrorContext): GenerateResult {
  const root = readRecord(body);
  const choice = readRecord(readArray(root?.choices)?.[0]);
  if (choice === undefined) {
    throw new ProviderError({
      kind: 'malformed_response',
      message: `${adviceFor('malformed_response')} (${context.modelId}): the completion has no choices.`,
      provider: context.provider,
      modelId: context.modelId,
    });
  }
  const message = readRecord(choice.message);
  return {
    text: readString(message?.content) ?? '',
    toolCalls: mapToolCalls(message?.tool_calls),
    finishReason: mapOpenAIFinishReason(readString(choice.finish_reason)),
    usage: mapOpenAIUsage(root?.usage),
    response: { id: readString(root?.id), modelId: readString(root?.model) },
  };
}
