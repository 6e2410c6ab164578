import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '@switchboard/provider-sim';
import { engineClockFromSleep, realEngineClock, sleepOn } from './engine-clock.ts';

describe('engine clocks', () => {
  it('runs timers on a virtual clock at exact virtual times, and cancels them', async () => {
    const virtual = createVirtualClock(0);
    const clock = engineClockFromSleep(virtual);
    const fired: [string, number][] = [];
    clock.setTimer(() => fired.push(['late', clock.now()]), 300);
    const cancelled = clock.setTimer(() => fired.push(['cancelled', clock.now()]), 100);
    clock.setTimer(() => fired.push(['early', clock.now()]), 50);
    clock.clearTimer(cancelled);
    await virtual.sleep(400);
    expect(fired).toEqual([
      ['early', 50],
      ['late', 300],
    ]);
  });

  it('sleeps until the time passed, or returns false at once when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleepOn(realEngineClock, 10_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await sleepOn(realEngineClock, 1, undefined)).toBe(true);
  });
});
