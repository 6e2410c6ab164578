import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRetryBackoff, longestRetryAfterMs, retryDelayMs } from './retry-delay.ts';

const backoff = { baseMs: 100, maxMs: 2000 };

describe('retryDelayMs', () => {
  it('doubles the ceiling with each failure up to the maximum, waiting at least half of it', () => {
    expect(retryDelayMs(1, backoff, () => 0)).toBe(50);
    expect(retryDelayMs(1, backoff, () => 0.999_999)).toBe(100);
    expect(retryDelayMs(3, backoff, () => 0)).toBe(200);
    expect(retryDelayMs(30, backoff, () => 0.999_999)).toBe(2000);
  });

  it('never waits less than Retry-After asks, nor longer than the longest obeyed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 10 * longestRetryAfterMs }),
        (failures, draw, retryAfterMs) => {
          const delay = retryDelayMs(failures, backoff, () => draw, retryAfterMs);
          expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfterMs, longestRetryAfterMs));
          expect(delay).toBeLessThanOrEqual(Math.max(backoff.maxMs, longestRetryAfterMs));
        },
      ),
    );
  });

  it('rejects settings that would spin or never retry, naming the option', () => {
    expect(() => checkRetryBackoff({ baseMs: 0, maxMs: 10 }, 'retry')).toThrow(/retry\.baseMs/);
    expect(() => checkRetryBackoff({ baseMs: 100, maxMs: 10 }, 'retry')).toThrow(/retry\.maxMs/);
  });
});
