import { emptyUsage } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { chatCompletion, openAiFinishReason, openAiUsage } from './chat-completion-response.ts';

describe('openAiFinishReason', () => {
  it('maps core’s reasons to OpenAI’s', () => {
    expect(openAiFinishReason({ unified: 'stop', raw: 'stop' })).toBe('stop');
    expect(openAiFinishReason({ unified: 'length', raw: 'max_tokens' })).toBe('length');
    expect(openAiFinishReason({ unified: 'tool-calls', raw: 'tool_use' })).toBe('tool_calls');
    expect(openAiFinishReason({ unified: 'content-filter', raw: 'refusal' })).toBe('content_filter');
    expect(openAiFinishReason({ unified: 'other', raw: 'safe-message' })).toBe('stop');
  });
});

describe('openAiUsage', () => {
  it('reports known counts, with cached and reasoning tokens only when known', () => {
    expect(
      openAiUsage({
        inputTokens: { total: 100, cacheRead: 40, cacheWrite: undefined },
        outputTokens: { total: 20, reasoning: 5 },
      }),
    ).toEqual({
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 40 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    expect(openAiUsage({ ...emptyUsage(), outputTokens: { total: 7, reasoning: undefined } })).toEqual({
      prompt_tokens: 0,
      completion_tokens: 7,
      total_tokens: 7,
    });
    expect(openAiUsage(emptyUsage())).toBeUndefined();
  });
});

describe('chatCompletion', () => {
  it('answers tool calls with null content, as OpenAI does', () => {
    const completion = chatCompletion({
      id: 'chatcmpl-1',
      created: 1,
      model: 'sim/fast-small',
      text: '',
      toolCalls: [{ id: 'call_1', name: 'look', arguments: '{}' }],
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: emptyUsage(),
    });
    expect(completion.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{}' } }],
    });
    expect(completion).not.toHaveProperty('usage');
  });
});
