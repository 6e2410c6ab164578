import type { GenerateResult, ToolCall } from '@switchboard/core';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
import { mapAnthropicUsage } from './map-anthropic-usage.ts';
import { adapterError, type AnthropicErrorContext } from './map-anthropic-error.ts';
import { asArray, asRecord, asString } from './read-json.ts';

/**
 * Translates a Messages API response (`{"type":"message", content, stop_reason, usage}`) into our
 * result: text blocks joined in order, `tool_use` blocks as tool calls whose arguments are the
 * JSON text of their `input`, other block kinds (thinking, server tool results) left out. A body
 * without a `content` array is not a message and fails as `malformed_response`.
 */
export function mapAnthropicResponse(body: unknown, context: AnthropicErrorContext): GenerateResult {
  const message = asRecord(body);
  const content = asArray(message?.content);
  if (message === undefined || content === undefined) {
    throw adapterError('malformed_response', 'Anthropic answered without a message content array', context);
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const rawBlock of content) {
    const block = asRecord(rawBlock);
    if (block?.type === 'text') text += asString(block.text) ?? '';
    if (block?.type === 'tool_use') {
      toolCalls.push({
        id: asString(block.id) ?? '',
        name: asString(block.name) ?? '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    }
  }
  return {
    text,
    toolCalls,
    finishReason: mapAnthropicFinishReason(asString(message.stop_reason)),
    usage: mapAnthropicUsage(message.usage),
    response: { id: asString(message.id), modelId: asString(message.model) },
  };
}
