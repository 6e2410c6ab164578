import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../spec/chat-model-adapter.ts';
import { continuation, continuationWithoutPrefill } from './continuation.ts';

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are Mira, a kind guide.' },
  { role: 'user', content: 'Describe the lake.' },
];
const request: ChatRequest = { messages, maxOutputTokens: 300, temperature: 0.7, tools: [] };
const partial = 'The lake lies still under a pale sky, and ';

describe('continuation', () => {
  it('prefills the partial answer for a model that supports it', () => {
    const plan = continuation(request, partial, { assistantPrefill: true });
    expect(plan.mode).toBe('prefill');
    expect(plan.messages).toEqual([...messages, { role: 'assistant', content: partial.trimEnd() }]);
    expect(plan.request).toEqual({ ...request, messages: plan.messages });
  });

  it('asks a model without prefill to continue exactly where the answer stops', () => {
    const plan = continuation(request, partial, { assistantPrefill: false });
    expect(plan.mode).toBe('instruct');
    expect(plan.messages.slice(0, 3)).toEqual([...messages, { role: 'assistant', content: partial }]);
    const ask = plan.messages[3]!;
    expect(ask.role).toBe('user');
    expect(ask.content).toMatch(/continue it from exactly where it stops/i);
    expect(ask.content).toMatch(/do not repeat/i);
    expect(ask.content).toContain(partial);
    expect(plan.messages).toHaveLength(4);
  });

  it('quotes only the end of a long answer, from a word boundary', () => {
    const long = `${'Once upon a time, '.repeat(40)}the traveller rested`;
    const ask = continuation(messages, long, { assistantPrefill: false }).messages.at(-1)!;
    expect(ask.content).toMatch(/ends with: "…\S.*the traveller rested"$/);
    expect(ask.content.length).toBeLessThan(600);
  });

  it('falls back to instructing when the engine retries after a prefill rejection', () => {
    const plan = continuationWithoutPrefill(request, partial);
    expect(plan.mode).toBe('instruct');
    expect(plan.request.maxOutputTokens).toBe(300);
    expect(continuation(request, partial, { assistantPrefill: true }, { mode: 'instruct' })).toEqual(plan);
  });

  it('restarts when nothing visible was produced before the cut', () => {
    const plan = continuation(request, '  \n', { assistantPrefill: true });
    expect(plan.mode).toBe('restart');
    expect(plan.messages).toEqual(messages);
  });

  it('continues a prefill the original request already had', () => {
    const prefilled: ChatMessage[] = [...messages, { role: 'assistant', content: '{"scene": "' }];
    const prefill = continuation(prefilled, 'A still lake', { assistantPrefill: true });
    expect(prefill.messages).toEqual([
      ...messages,
      { role: 'assistant', content: '{"scene": "A still lake' },
    ]);
    const instruct = continuation(prefilled, 'A still lake', { assistantPrefill: false });
    expect(instruct.messages[2]).toEqual({ role: 'assistant', content: '{"scene": "A still lake' });
  });

  it('accepts a bare message list and leaves it untouched', () => {
    const copy = structuredClone(messages);
    const plan = continuation(messages, partial, { assistantPrefill: true });
    expect(plan.request).toEqual({ messages: plan.messages });
    expect(messages).toEqual(copy);
  });
});
