import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ServerSentEventDecoder, type ServerSentEvent } from './server-sent-events.ts';

const toolUseStream = readFileSync(new URL('./__fixtures__/stream-tool-use.sse', import.meta.url), 'utf8');

function decodeInPieces(text: string, cuts: number[]): ServerSentEvent[] {
  const decoder = new ServerSentEventDecoder();
  const events: ServerSentEvent[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((left, right) => left - right)) {
    events.push(...decoder.push(text.slice(start, cut)));
    start = cut;
  }
  events.push(...decoder.push(text.slice(start)), ...decoder.flush());
  return events;
}

describe('ServerSentEventDecoder', () => {
  it('reads event names and data, ignoring comments and unknown fields', () => {
    const events = decodeInPieces(': keep-alive\nevent: ping\nid: 7\ndata: {"type": "ping"}\n\n', []);
    expect(events).toEqual([{ event: 'ping', data: '{"type": "ping"}' }]);
  });

  it('joins multi-line data with newlines and accepts CRLF and CR line breaks', () => {
    const events = decodeInPieces('data: first\r\ndata:second\r\n\r\nevent: x\rdata: third\r\r', []);
    expect(events).toEqual([
      { event: undefined, data: 'first\nsecond' },
      { event: 'x', data: 'third' },
    ]);
  });

  it('does not dispatch an event without data', () => {
    expect(decodeInPieces('event: message_stop\n\n', [])).toEqual([]);
  });

  it('dispatches a last event that has data but no closing blank line', () => {
    expect(decodeInPieces('event: message_stop\ndata: {"type":"message_stop"}', [])).toEqual([
      { event: 'message_stop', data: '{"type":"message_stop"}' },
    ]);
  });

  it('decodes a recorded stream into one event per data line', () => {
    const events = decodeInPieces(toolUseStream, []);
    expect(events).toHaveLength(toolUseStream.split('\n').filter((line) => line.startsWith('data:')).length);
    expect(events[0]?.event).toBe('message_start');
    expect(events.at(-1)).toEqual({ event: 'message_stop', data: '{"type":"message_stop"}' });
  });

  it('gives the same events however the bytes are split into chunks', () => {
    const crlfStream = toolUseStream.replaceAll('\n', '\r\n');
    const whole = decodeInPieces(crlfStream, []);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: crlfStream.length }), { maxLength: 40 }), (cuts) => {
        expect(decodeInPieces(crlfStream, cuts)).toEqual(whole);
      }),
    );
  });
});
