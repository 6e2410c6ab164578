import { isProviderError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readFixture } from './__fixtures__/loopback-server.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapChatCompletion } from './map-openai-response.ts';
import { mapOpenAIUsage } from './map-openai-usage.ts';

const context = { provider: 'openai', modelId: 'openai/gpt-4.1' };

describe('mapChatCompletion', () => {
  it('reads text, finish reason, usage with cached and reasoning tokens, and the response ids', () => {
    const result = mapChatCompletion(JSON.parse(readFixture('openai-chat-completion.json')), context);
    expect(result.text).toBe('Hello! How can I assist you today?');
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.usage.inputTokens).toEqual({ total: 2006, cacheRead: 1920, cacheWrite: undefined });
    expect(result.usage.outputTokens).toEqual({ total: 300, reasoning: 128 });
    expect(result.usage.raw).toMatchObject({ total_tokens: 2306 });
    expect(result.response).toEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      modelId: 'gpt-4.1-2025-04-14',
    });
  });

  it('reads tool calls with their JSON arguments unparsed', () => {
    const result = mapChatCompletion(
      JSON.parse(readFixture('openai-chat-completion-tool-calls.json')),
      context,
    );
    expect(result.text).toBe('');
    expect(result.toolCalls).toEqual([
      { id: 'call_abc123', name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' },
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
    expect(result.usage.inputTokens.cacheRead).toBeUndefined();
  });

  it('rejects a body without choices as a malformed response', () => {
    let caught: unknown;
    try {
      mapChatCompletion({ id: 'x', choices: [] }, context);
    } catch (error) {
      caught = error;
    }
    expect(isProviderError(caught) && caught.kind).toBe('malformed_response');
  });
});

describe('mapOpenAIFinishReason', () => {
  it('maps every OpenAI finish reason and keeps the raw string', () => {
    expect(mapOpenAIFinishReason('stop')).toEqual({ unified: 'stop', raw: 'stop' });
    expect(mapOpenAIFinishReason('length').unified).toBe('length');
    expect(mapOpenAIFinishReason('tool_calls').unified).toBe('tool-calls');
    expect(mapOpenAIFinishReason('function_call').unified).toBe('tool-calls');
    expect(mapOpenAIFinishReason('content_filter').unified).toBe('content-filter');
    expect(mapOpenAIFinishReason('eos')).toEqual({ unified: 'other', raw: 'eos' });
    expect(mapOpenAIFinishReason(undefined)).toEqual({ unified: 'other', raw: undefined });
  });
});

describe('mapOpenAIUsage', () => {
  it('leaves counts the provider did not send undefined rather than zero', () => {
    const usage = mapOpenAIUsage({ prompt_tokens: 12, completion_tokens: 3 });
    expect(usage.inputTokens).toEqual({ total: 12, cacheRead: undefined, cacheWrite: undefined });
    expect(usage.outputTokens).toEqual({ total: 3, reasoning: undefined });
    expect(mapOpenAIUsage(null).inputTokens.total).toBeUndefined();
  });
});
