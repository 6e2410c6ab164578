import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from './server-sent-events.ts';

const stream =
  ': keep-alive\n' +
  'retry: 1500\n' +
  'event: snapshot\n' +
  'data: {"version":2,\n' +
  'data: "hash":"ab"}\n' +
  'id: 7\n' +
  '\n' +
  'data:plain\r\n\r\n' +
  'event: empty\r\r' +
  'event: snapshot\rdata: {"version":3}\r\r' +
  ': a CR at the end of a chunk waits for the next one, so the stream ends on LF\n';

describe('ServerSentEventParser', () => {
  it('reads events, multi-line data, ids, retry and comments, with any line ending', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push(stream)).toEqual([
      { event: 'snapshot', data: '{"version":2,\n"hash":"ab"}', id: '7' },
      { event: 'message', data: 'plain', id: '7' },
      { event: 'snapshot', data: '{"version":3}', id: '7' },
    ]);
    expect(parser.retryMs).toBe(1500);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const whole = new ServerSentEventParser().push(stream);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((left, right) => left - right);
        const parser = new ServerSentEventParser();
        const events = [];
        let previous = 0;
        for (const point of [...points, stream.length]) {
          events.push(...parser.push(stream.slice(previous, point)));
          previous = point;
        }
        expect(events).toEqual(whole);
      }),
    );
  });
});
