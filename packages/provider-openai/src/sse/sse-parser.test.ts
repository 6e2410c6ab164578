import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type ServerSentEvent } from './sse-parser.ts';

function parseAll(chunks: string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

describe('createSseParser', () => {
  it('delivers one event per blank-line-terminated block, with the data after "data: "', () => {
    const events = parseAll(['data: {"a":1}\n\ndata: [DONE]\n\n']);
    expect(events.map((event) => event.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data with a newline and keeps event names and ids', () => {
    const events = parseAll(['event: message_start\nid: 7\ndata: first\ndata: second\n\n']);
    expect(events).toEqual([{ event: 'message_start', id: '7', data: 'first\nsecond' }]);
  });

  it('ignores comments and keep-alives, and blocks without data', () => {
    const events = parseAll([': OPENROUTER PROCESSING\n\n', 'event: ping\n\n', 'data: x\n\n']);
    expect(events.map((event) => event.data)).toEqual(['x']);
  });

  it('accepts CRLF and lone CR line ends, including a CRLF split across two chunks', () => {
    expect(parseAll(['data: a\r\n\r\ndata: b\r\r']).map((event) => event.data)).toEqual(['a', 'b']);
    expect(parseAll(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']).map((event) => event.data)).toEqual([
      'a',
      'b',
    ]);
  });

  it('strips only one space after the colon, and a leading byte-order mark', () => {
    const events = parseAll(['\uFEFFdata:  two spaces\n\ndata:none\n\n']);
    expect(events.map((event) => event.data)).toEqual([' two spaces', 'none']);
  });

  it('still delivers a last event that lacks its closing blank line', () => {
    expect(parseAll(['data: a\n\ndata: [DONE]']).map((event) => event.data)).toEqual(['a', '[DONE]']);
  });

  it('gives the same events however the stream is split into chunks', () => {
    const stream =
      'data: {"choices":[{"delta":{"content":"é世"}}]}\n\n: comment\r\nevent: e\r\ndata: 1\r\ndata: 2\r\n\r\ndata: [DONE]\n\n';
    const whole = parseAll([stream]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((left, right) => left - right);
        const chunks: string[] = [];
        let previous = 0;
        for (const point of points) {
          chunks.push(stream.slice(previous, point));
          previous = point;
        }
        chunks.push(stream.slice(previous));
        expect(parseAll(chunks)).toEqual(whole);
      }),
    );
    expect(whole.map((event) => event.data)).toEqual([
      '{"choices":[{"delta":{"content":"é世"}}]}',
      '1\n2',
      '[DONE]',
    ]);
  });
});
