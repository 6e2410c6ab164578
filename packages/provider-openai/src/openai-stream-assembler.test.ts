import type { StreamPart } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readFixture } from './__fixtures__/loopback-server.ts';
import { OpenAIStreamAssembler } from './openai-stream-assembler.ts';
import { createSseParser } from './sse/sse-parser.ts';

function assemble(sse: string): { assembler: OpenAIStreamAssembler; parts: StreamPart[]; skipped: number } {
  const diagnostics = { malformedChunksSkipped: 0 };
  const assembler = new OpenAIStreamAssembler({ provider: 'openai', modelId: 'gpt-4o' }, diagnostics);
  const parser = createSseParser((event) => assembler.accept(event.data));
  parser.push(sse);
  parser.end();
  const parts = assembler.take();
  if (assembler.finishReason !== undefined) parts.push(...assembler.finalParts());
  return { assembler, parts, skipped: diagnostics.malformedChunksSkipped };
}

const chunk = (choice: unknown, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'c1', model: 'm', choices: choice === undefined ? [] : [choice], ...extra })}\n\n`;

describe('OpenAIStreamAssembler', () => {
  it('turns the published streamed completion into text deltas and one finish with usage', () => {
    const { parts, assembler } = assemble(readFixture('openai-chat-stream.sse'));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    expect(text).toBe('Hello! How can I assist you today?');
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(9);
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: { inputTokens: { total: 19, cacheRead: 0 }, outputTokens: { total: 10, reasoning: 0 } },
      response: { id: 'chatcmpl-123', modelId: 'gpt-4o-mini' },
    });
    expect(assembler.doneSeen).toBe(true);
  });

  it('streams tool-call deltas and emits the whole call before the finish', () => {
    const { parts } = assemble(readFixture('openai-chat-stream-tool-call.sse'));
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas[0]).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
      name: 'get_weather',
      argumentsDelta: '',
    });
    expect(deltas.map((part) => part.argumentsDelta).join('')).toBe('{"location":"Paris, France"}');
    expect(parts.slice(-2)).toEqual([
      {
        type: 'tool-call',
        toolCall: {
          id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
          name: 'get_weather',
          arguments: '{"location":"Paris, France"}',
        },
      },
      expect.objectContaining({ type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' } }),
    ]);
  });

  it('is complete once finish and usage are both in, in either order', () => {
    const usage = { prompt_tokens: 5, completion_tokens: 2 };
    const finishThenUsage = assemble(
      chunk({ index: 0, delta: { content: 'Hi' } }) + chunk({ index: 0, delta: {}, finish_reason: 'stop' }),
    ).assembler;
    expect(finishThenUsage.isComplete(true)).toBe(false);
    expect(finishThenUsage.isComplete(false)).toBe(true);
    finishThenUsage.accept(JSON.stringify({ id: 'c1', choices: [], usage }));
    expect(finishThenUsage.isComplete(true)).toBe(true);

    const usageThenFinish = assemble(
      chunk(undefined, { usage }) + chunk({ index: 0, delta: {}, finish_reason: 'length' }),
    );
    expect(usageThenFinish.assembler.isComplete(true)).toBe(true);
    expect(usageThenFinish.parts.at(-1)).toMatchObject({
      finishReason: { unified: 'length' },
      usage: { inputTokens: { total: 5 } },
    });

    const usageInFinishChunk = assemble(chunk({ index: 0, delta: {}, finish_reason: 'stop' }, { usage }));
    expect(usageInFinishChunk.assembler.isComplete(true)).toBe(true);
  });

  it('skips and counts chunks that are not JSON objects, and keeps the rest', () => {
    const { parts, skipped } = assemble(
      chunk({ index: 0, delta: { content: 'a' } }) +
        'data: {"choices":[{"delta":{"content":"brok\n\n' +
        'data: 42\n\n' +
        chunk({ index: 0, delta: { content: 'b' }, finish_reason: 'stop' }),
    );
    expect(skipped).toBe(2);
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => part.delta)).toEqual(['a', 'b']);
  });

  it('reports an error chunk sent mid-stream as a classified provider error', () => {
    const { assembler } = assemble(
      chunk({ index: 0, delta: { content: 'Once' } }) +
        `data: ${JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded upstream' } })}\n\n`,
    );
    expect(assembler.error?.kind).toBe('rate_limited');
    expect(assembler.error?.providerMessage).toContain('Rate limit exceeded upstream');
  });

  it('keeps calls apart when a server omits the index and sends each call whole', () => {
    const { parts } = assemble(
      chunk({ delta: { tool_calls: [{ id: 'a', function: { name: 'one', arguments: { x: 1 } } }] } }) +
        chunk({ delta: { tool_calls: [{ id: 'b', function: { name: 'two', arguments: '{}' } }] } }) +
        chunk({ delta: {}, finish_reason: 'tool_calls' }),
    );
    expect(parts.filter((part) => part.type === 'tool-call').map((part) => part.toolCall)).toEqual([
      { id: 'a', name: 'one', arguments: '{"x":1}' },
      { id: 'b', name: 'two', arguments: '{}' },
    ]);
  });
});
