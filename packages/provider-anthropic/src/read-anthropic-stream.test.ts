import type { StreamPart } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readAnthropicStream } from './read-anthropic-stream.ts';

const encoder = new TextEncoder();

/**
 * A streamed response whose body reads are exactly `reads`, one string each: what one network read
 * holds is under the test's control. `beforeRead` runs before each read (0-based) is answered.
 */
function responseOf(reads: string[], beforeRead?: (index: number) => Promise<void>): Response {
  let index = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (index >= reads.length) {
          controller.close();
          return;
        }
        await beforeRead?.(index);
        controller.enqueue(encoder.encode(reads[index++]));
      },
    },
    // No read-ahead: a read is pulled only when the reader asks for it.
    { highWaterMark: 0 },
  );
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const event = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const start =
  event('message_start', {
    message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 9, output_tokens: 1 } },
  }) + event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
const text = (value: string, index = 0): string =>
  event('content_block_delta', { index, delta: { type: 'text_delta', text: value } });
const toolStart = (index: number): string =>
  event('content_block_start', {
    index,
    content_block: { type: 'tool_use', id: 'toolu_1', name: 'set_scene', input: {} },
  });
const toolArguments = (index: number, json: string): string =>
  event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json } });
const blockStop = (index: number): string => event('content_block_stop', { index });
const textBlockStart = (index: number): string =>
  event('content_block_start', { index, content_block: { type: 'text', text: '' } });
const stop = (reason = 'end_turn'): string =>
  event('message_delta', { delta: { stop_reason: reason }, usage: { output_tokens: 3 } }) +
  event('message_stop', {});

async function partsOf(response: Response, onPart?: (part: StreamPart) => void): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of readAnthropicStream(response, {
    context: { provider: 'anthropic', modelId: 'anthropic/claude-test' },
    diagnostics: { malformedChunksSkipped: 0 },
  })) {
    parts.push(part);
    onPart?.(part);
  }
  return parts;
}

const types = (parts: StreamPart[]): string[] => parts.map((part) => part.type);

describe('readAnthropicStream: text deltas read together are yielded as one part', () => {
  it('merges the text deltas of one read into one part with the joined text', async () => {
    const parts = await partsOf(
      responseOf([start, text('The lantern ') + text('flickers ') + text('softly.'), stop()]),
    );
    expect(parts[0]).toEqual({ type: 'text-delta', delta: 'The lantern flickers softly.' });
    expect(types(parts)).toEqual(['text-delta', 'finish']);
  });

  it('merges text that arrives with the stop reason, and keeps the finish last', async () => {
    const parts = await partsOf(responseOf([start + text('Moss ') + text('glows.') + stop()]));
    expect(parts).toMatchObject([
      { type: 'text-delta', delta: 'Moss glows.' },
      { type: 'finish', finishReason: { unified: 'stop' }, usage: { inputTokens: { total: 9 } } },
    ]);
  });

  it('keeps text, tool call, text apart when all of it arrives in one read', async () => {
    const parts = await partsOf(
      responseOf([
        start +
          text('Let ') +
          text('me look. ') +
          blockStop(0) +
          toolStart(1) +
          toolArguments(1, '{"scene":') +
          toolArguments(1, '"forest"}') +
          blockStop(1) +
          textBlockStart(2) +
          text('Done ', 2) +
          text('now.', 2) +
          stop('tool_use'),
      ]),
    );
    expect(parts.filter((part) => part.type !== 'finish')).toEqual([
      { type: 'text-delta', delta: 'Let me look. ' },
      { type: 'tool-call-delta', index: 0, id: 'toolu_1', name: 'set_scene', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"scene":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"forest"}' },
      { type: 'tool-call', toolCall: { id: 'toolu_1', name: 'set_scene', arguments: '{"scene":"forest"}' } },
      { type: 'text-delta', delta: 'Done now.' },
    ]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });
  });

  it('yields deltas from separate reads as separate parts, each before the next read', async () => {
    const seen: string[] = [];
    const parts = await partsOf(
      responseOf([start, text('One '), text('two '), text('three.'), stop()], async (index) => {
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
    expect(seen).toEqual(['read 0', 'read 1', 'One ', 'read 2', 'two ', 'read 3', 'three.', 'read 4']);
  });

  it('yields the text read before an error event in the same read, then throws the error', async () => {
    const parts: StreamPart[] = [];
    const failing = partsOf(
      responseOf([
        start +
          text('Hello ') +
          text('friend') +
          event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ]),
      (part) => parts.push(part),
    );
    await expect(failing).rejects.toMatchObject({ kind: 'overloaded' });
    expect(parts).toEqual([{ type: 'text-delta', delta: 'Hello friend' }]);
  });
});
