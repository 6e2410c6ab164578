import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeToken, type TokenBucket } from './token-bucket.ts';

describe('takeToken', () => {
  it('allows a full minute of requests at once, then refuses with the wait for the next one', () => {
    let bucket: TokenBucket | undefined;
    for (let index = 0; index < 3; index += 1) {
      const taken = takeToken(bucket, 3, 0);
      expect(taken.decision).toEqual({ allowed: true, remaining: 2 - index });
      bucket = taken.bucket;
    }
    expect(takeToken(bucket, 3, 0).decision).toEqual({ allowed: false, retryAfterMs: 20_000 });
    expect(takeToken(bucket, 3, 20_000).decision.allowed).toBe(true);
  });

  it('refills nothing when the clock goes backwards', () => {
    const empty = takeToken({ tokens: 0, updatedAt: 10_000 }, 60, 5_000);
    expect(empty.decision.allowed).toBe(false);
  });

  it('never admits more than the burst plus what the elapsed time refilled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 200 }),
        (requestsPerMinute, gaps) => {
          let bucket: TokenBucket | undefined;
          let now = 0;
          let admitted = 0;
          for (const gap of gaps) {
            now += gap;
            const taken = takeToken(bucket, requestsPerMinute, now);
            bucket = taken.bucket;
            if (taken.decision.allowed) admitted += 1;
            else expect(taken.decision.retryAfterMs).toBeGreaterThanOrEqual(1);
          }
          expect(admitted).toBeLessThanOrEqual(
            requestsPerMinute + Math.floor((now * requestsPerMinute) / 60_000) + 1,
          );
        },
      ),
    );
  });

  it('admits a request after waiting exactly the Retry-After it was given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (limit, start) => {
          const drained: TokenBucket = { tokens: 0, updatedAt: start };
          const refused = takeToken(drained, limit, start).decision;
          if (refused.allowed) throw new Error('an empty bucket admitted a request');
          expect(takeToken(drained, limit, start + refused.retryAfterMs).decision.allowed).toBe(true);
        },
      ),
    );
  });
});
