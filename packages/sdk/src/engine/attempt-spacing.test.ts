import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attemptSpacing, earliestNextAttempt } from './attempt-spacing.ts';

describe('earliestNextAttempt', () => {
  it('allows two attempts at once, then waits one window after the second-last start', () => {
    expect(earliestNextAttempt([], 100)).toBe(100);
    expect(earliestNextAttempt([100], 100)).toBe(100);
    expect(earliestNextAttempt([100, 150], 200)).toBe(1_600);
    expect(earliestNextAttempt([100, 150], 5_000)).toBe(5_000);
  });

  it('never lets any window of 1.5 s hold more than two attempt starts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 30 }), (gaps) => {
        const starts: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const start = earliestNextAttempt(starts, now);
          expect(start).toBeGreaterThanOrEqual(now);
          starts.push(start);
          now = start;
        }
        for (let index = 2; index < starts.length; index += 1) {
          expect(starts[index]! - starts[index - 2]!).toBeGreaterThanOrEqual(attemptSpacing.windowMs);
        }
      }),
    );
  });
});
