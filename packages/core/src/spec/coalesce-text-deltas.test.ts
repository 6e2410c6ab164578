import { describe, expect, it } from 'vitest';
import { emptyUsage, type StreamPart } from './chat-model-adapter.ts';
import { coalesceTextDeltas } from './coalesce-text-deltas.ts';

describe('coalesceTextDeltas', () => {
  it('returns a batch with at most one text delta untouched, the same array and parts', () => {
    const finishPart: StreamPart = {
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: emptyUsage(),
    };
    const textPart: StreamPart = { type: 'text-delta', delta: 'x' };
    const batch = [textPart, finishPart];
    const result = coalesceTextDeltas(batch);
    expect(result).toBe(batch);
    expect(result[0]).toBe(textPart);
    expect(result[1]).toBe(finishPart);
    const empty: StreamPart[] = [];
    expect(coalesceTextDeltas(empty)).toBe(empty);
  });

  it('merges every run of adjacent text deltas and keeps the other parts in order', () => {
    const call: StreamPart = { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' };
    const batch: StreamPart[] = [
      { type: 'text-delta', delta: 'a' },
      { type: 'text-delta', delta: 'b' },
      call,
      { type: 'text-delta', delta: 'c' },
      call,
      { type: 'text-delta', delta: 'd' },
      { type: 'text-delta', delta: 'e' },
      { type: 'text-delta', delta: 'f' },
    ];
    expect(coalesceTextDeltas(batch)).toEqual([
      { type: 'text-delta', delta: 'ab' },
      call,
      { type: 'text-delta', delta: 'c' },
      call,
      { type: 'text-delta', delta: 'def' },
    ]);
  });
});
