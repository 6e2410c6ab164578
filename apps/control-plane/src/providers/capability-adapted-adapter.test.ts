import type { ChatModelAdapterV1, ChatRequest, GenerateResult } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { capabilityAdaptedAdapter } from './capability-adapted-adapter.ts';

/** An adapter that remembers what it was sent. */
function recordingAdapter(): { adapter: ChatModelAdapterV1; sent: ChatRequest[] } {
  const sent: ChatRequest[] = [];
  const answer: GenerateResult = {
    text: 'ok',
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 1, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 1, reasoning: undefined },
    },
    response: {},
  };
  const adapter: ChatModelAdapterV1 = {
    specificationVersion: 'v1',
    provider: 'test',
    providerModel: 'recorder',
    doGenerate: (request) => {
      sent.push(request);
      return Promise.resolve(answer);
    },
    doStream: () => Promise.reject(new Error('not used')),
  };
  return { adapter, sent };
}

const conversation: ChatRequest = {
  messages: [
    { role: 'system', content: 'Narrate gently.' },
    { role: 'user', content: 'Look around.' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'look', arguments: '{}' }] },
    { role: 'tool', toolCallId: 'c1', content: 'Ferns.' },
  ],
};

describe('capabilityAdaptedAdapter', () => {
  it('returns the adapter itself when the model needs nothing reshaped', () => {
    const { adapter } = recordingAdapter();
    expect(capabilityAdaptedAdapter(adapter, { systemRole: true, tools: true }, false)).toBe(adapter);
  });

  it('folds the system prompt and flattens tool rounds for a model that takes neither', async () => {
    const { adapter, sent } = recordingAdapter();
    await capabilityAdaptedAdapter(adapter, { systemRole: false, tools: false }, false).doGenerate(
      conversation,
    );
    const messages = sent[0]!.messages;
    expect(messages.some((message) => message.role === 'system' || message.role === 'tool')).toBe(false);
    expect(messages[0]).toMatchObject({
      role: 'user',
      content: expect.stringMatching(/^Instructions:\nNarrate gently\./),
    });
    expect(JSON.stringify(messages)).toContain('Ferns.');
  });
});
