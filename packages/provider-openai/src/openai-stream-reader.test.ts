import type { StreamPart } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readOpenAIStream } from './openai-stream-reader.ts';
import type { BodyChunk, ResponseBodyReader } from './transport/http-transport.ts';

const encoder = new TextEncoder();

/**
 * A body whose reads are exactly `reads`, one string each: what one network read of the body holds
 * is under the test's control. `afterRead` runs before each read (0-based) is answered.
 */
function bodyOf(reads: string[], afterRead?: (index: number) => Promise<void>): ResponseBodyReader {
  let index = 0;
  return {
    read: async (): Promise<BodyChunk> => {
      if (index >= reads.length) return { done: true };
      await afterRead?.(index);
      return { done: false, value: encoder.encode(reads[index++]) };
    },
    cancel: () => Promise.resolve(),
  };
}

const event = (payload: unknown): string =>
  `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): unknown => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});
const text = (content: string): string => event(chunk({ content }));
const toolCallDelta = (argumentsDelta: string, first = false): string =>
  event(
    chunk({
      tool_calls: [
        {
          index: 0,
          ...(first ? { id: 'call_1', type: 'function' } : {}),
          function: { ...(first ? { name: 'set_scene' } : {}), arguments: argumentsDelta },
        },
      ],
    }),
  );
const finish = (reason = 'stop'): string =>
  event(chunk({}, reason)) +
  event({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } }) +
  event('[DONE]');

async function partsOf(body: ResponseBodyReader, onPart?: (part: StreamPart) => void): Promise<StreamPart[]> {
  const stream = readOpenAIStream(body, {
    provider: 'openai',
    modelId: 'openai/gpt-4o-mini',
    expectUsage: true,
    usageGraceMs: 50,
    drainWindowMs: 20,
    diagnostics: { malformedChunksSkipped: 0 },
  });
  const parts: StreamPart[] = [];
  for await (const part of stream) {
    parts.push(part);
    onPart?.(part);
  }
  return parts;
}

const types = (parts: StreamPart[]): string[] => parts.map((part) => part.type);

describe('readOpenAIStream: text deltas read together are handed out as one part', () => {
  it('merges the text deltas of one read into one part with the joined text', async () => {
    const parts = await partsOf(
      bodyOf([text('The lantern ') + text('flickers ') + text('softly.'), finish()]),
    );
    expect(parts[0]).toEqual({ type: 'text-delta', delta: 'The lantern flickers softly.' });
    expect(types(parts)).toEqual(['text-delta', 'finish']);
  });

  it('merges text that arrives in the same read as the finish, and keeps the finish last', async () => {
    const parts = await partsOf(bodyOf([text('Moss ') + text('glows.') + finish()]));
    expect(parts).toMatchObject([
      { type: 'text-delta', delta: 'Moss glows.' },
      { type: 'finish', finishReason: { unified: 'stop' }, usage: { inputTokens: { total: 9 } } },
    ]);
  });

  it('never merges across a tool-call delta in the same read', async () => {
    const parts = await partsOf(
      bodyOf([
        text('Let me ') + text('look. ') + toolCallDelta('{"scene":', true) + toolCallDelta('"forest"}'),
        text('Done ') + text('now.') + finish('tool_calls'),
      ]),
    );
    expect(types(parts)).toEqual([
      'text-delta',
      'tool-call-delta',
      'tool-call-delta',
      'text-delta',
      'tool-call',
      'finish',
    ]);
    expect(parts[0]).toEqual({ type: 'text-delta', delta: 'Let me look. ' });
    expect(parts[3]).toEqual({ type: 'text-delta', delta: 'Done now.' });
    expect(parts[4]).toEqual({
      type: 'tool-call',
      toolCall: { id: 'call_1', name: 'set_scene', arguments: '{"scene":"forest"}' },
    });
  });

  it('keeps text, tool call, text apart when all three arrive in one read', async () => {
    const parts = await partsOf(
      bodyOf([
        text('A') + text('B') + toolCallDelta('{}', true) + text('C') + text('D') + finish('tool_calls'),
      ]),
    );
    expect(parts.filter((part) => part.type !== 'finish')).toEqual([
      { type: 'text-delta', delta: 'AB' },
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'set_scene', argumentsDelta: '{}' },
      { type: 'text-delta', delta: 'CD' },
      { type: 'tool-call', toolCall: { id: 'call_1', name: 'set_scene', arguments: '{}' } },
    ]);
  });

  it('hands out deltas from separate reads as separate parts, each before the next read', async () => {
    const seen: string[] = [];
    const parts = await partsOf(
      bodyOf([text('One '), text('two '), text('three.'), finish()], async (index) => {
        // Each read is answered only after every part of the previous one has been handed out.
        seen.push(`read ${index}`);
        await Promise.resolve();
      }),
      (part) => {
        if (part.type === 'text-delta') seen.push(part.delta);
      },
    );
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', delta: 'One ' },
      { type: 'text-delta', delta: 'two ' },
      { type: 'text-delta', delta: 'three.' },
    ]);
    expect(seen).toEqual(['read 0', 'One ', 'read 1', 'two ', 'read 2', 'three.', 'read 3']);
  });

  it('merges per read: a delta split across reads is not joined with the next read', async () => {
    // The second delta's event is cut in half by the read boundary: it completes in read 2, with C.
    const second = text('B');
    const parts = await partsOf(
      bodyOf([text('A') + second.slice(0, 10), second.slice(10) + text('C'), finish()]),
    );
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', delta: 'A' },
      { type: 'text-delta', delta: 'BC' },
    ]);
  });
});
