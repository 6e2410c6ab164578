import { describe, expect, it } from 'vitest';
import { createVirtualClock, realClock } from './simulated-clock.ts';

describe('createVirtualClock', () => {
  it('wakes concurrent sleepers in due order and reads their due times, without waiting', async () => {
    const clock = createVirtualClock(1000);
    const woke: [string, number][] = [];
    await Promise.all([
      clock.sleep(700).then(() => woke.push(['slow', clock.now()])),
      clock.sleep(150).then(() => woke.push(['fast', clock.now()])),
      clock.sleep(350).then(() => woke.push(['middle', clock.now()])),
    ]);
    expect(woke).toEqual([
      ['fast', 1150],
      ['middle', 1350],
      ['slow', 1700],
    ]);
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('rejects a sleep when its signal aborts, and leaves time where it was', async () => {
    const clock = createVirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toThrow();
    expect(clock.now()).toBe(0);
    expect(clock.pendingSleeps()).toBe(0);
  });
});

describe('realClock', () => {
  it('stops sleeping as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = realClock.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toThrow();
    await expect(realClock.sleep(1, AbortSignal.abort())).rejects.toThrow();
  });
});
