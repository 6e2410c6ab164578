import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
import { mapAnthropicResponse } from './map-anthropic-response.ts';
import { mapAnthropicUsage } from './map-anthropic-usage.ts';

const context = { provider: 'anthropic', modelId: 'anthropic/claude-opus-4-6' };
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('mapAnthropicResponse', () => {
  it('reads a recorded message with prompt-cache usage: total input counts cached tokens too', () => {
    const result = mapAnthropicResponse(fixture('message-with-prompt-cache.json'), context);
    expect(result.text).toBe('Hi! My name is Claude.');
    expect(result.toolCalls).toEqual([]);
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(result.usage.inputTokens).toEqual({
      total: 2095 + 2051 + 2051,
      cacheRead: 2051,
      cacheWrite: 2051,
    });
    expect(result.usage.outputTokens).toEqual({ total: 503, reasoning: undefined });
    expect(result.usage.raw).toMatchObject({ service_tier: 'standard' });
    expect(result.response).toEqual({ id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF', modelId: 'claude-opus-4-6' });
  });

  it('reads a recorded tool use as a tool call whose arguments are the JSON of its input', () => {
    const result = mapAnthropicResponse(fixture('message-with-tool-use.json'), context);
    expect(result.text).toBe("I'll check the current weather in San Francisco for you.");
    expect(result.toolCalls).toEqual([
      {
        id: 'toolu_01A09q90qw90lq917835lq9',
        name: 'get_weather',
        arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
      },
    ]);
    expect(result.finishReason).toEqual({ unified: 'tool-calls', raw: 'tool_use' });
    expect(result.usage.inputTokens).toEqual({ total: 472, cacheRead: undefined, cacheWrite: undefined });
  });

  it('joins text blocks and leaves thinking blocks out', () => {
    const result = mapAnthropicResponse(
      {
        content: [
          { type: 'thinking', thinking: 'The player seems tense.', signature: 'sig' },
          { type: 'text', text: 'The rain ' },
          { type: 'text', text: 'softens.' },
        ],
        stop_reason: 'max_tokens',
        usage: { input_tokens: 10, output_tokens: 40, output_tokens_details: { thinking_tokens: 12 } },
      },
      context,
    );
    expect(result.text).toBe('The rain softens.');
    expect(result.finishReason).toEqual({ unified: 'length', raw: 'max_tokens' });
    expect(result.usage.outputTokens).toEqual({ total: 40, reasoning: 12 });
  });

  it('fails as malformed_response when the body is not a message', () => {
    expect(() => mapAnthropicResponse('<html>Bad gateway</html>', context)).toThrow(
      expect.objectContaining({ kind: 'malformed_response', modelId: 'anthropic/claude-opus-4-6' }),
    );
  });
});

describe('mapAnthropicFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    ['something_new', 'other'],
  ] as const)('maps %s to %s and keeps the original', (raw, unified) => {
    expect(mapAnthropicFinishReason(raw)).toEqual({ unified, raw });
  });
});

describe('mapAnthropicUsage', () => {
  it('keeps counts the provider did not send as unknown, not zero', () => {
    expect(mapAnthropicUsage({ output_tokens: 5, cache_read_input_tokens: null })).toMatchObject({
      inputTokens: { total: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 5, reasoning: undefined },
    });
  });
});
