import { describe, expect, it } from 'vitest';
import { PartChannel } from './part-channel.ts';

describe('PartChannel', () => {
  it('hands parts pushed before and after the reader started, in order, then ends', async () => {
    const channel = new PartChannel<number>(() => undefined);
    channel.push(1);
    const iterator = channel.iterator();
    const pending = iterator.next();
    expect(await pending).toEqual({ value: 1, done: false });
    const waiting = iterator.next();
    channel.push(2);
    channel.end();
    expect(await waiting).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('throws the failure after the buffered parts', async () => {
    const channel = new PartChannel<string>(() => undefined);
    channel.push('partial');
    channel.fail(new Error('cut'));
    const iterator = channel.iterator();
    expect(await iterator.next()).toEqual({ value: 'partial', done: false });
    await expect(iterator.next()).rejects.toThrow('cut');
  });

  it('cancels the producer when the reader leaves early, and has only one reader', async () => {
    let cancelled = 0;
    const channel = new PartChannel<number>(() => (cancelled += 1));
    const iterator = channel.iterator();
    expect(() => channel.iterator()).toThrow(/one consumer/);
    await iterator.return?.();
    expect(cancelled).toBe(1);
  });
});
