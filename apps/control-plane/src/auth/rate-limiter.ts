import { takeToken, type TokenBucket, type TokenBucketDecision } from './token-bucket.ts';

/**
 * Counts requests per API key. An interface, and asynchronous, because one process is not the
 * whole fleet: the multi-instance deployment backs it with Redis (the same token bucket in one
 * script) under the {@link RATE_LIMITER} token.
 */
export interface RateLimiter {
  /** Takes one request from `subject`'s allowance of `requestsPerMinute` at `now`. */
  take(subject: string, requestsPerMinute: number, now: number): Promise<TokenBucketDecision>;
}

/** Injection token of the {@link RateLimiter}. */
export const RATE_LIMITER = Symbol.for('switchboard.control-plane.rate-limiter');

/**
 * Token buckets in a `Map`, for one instance. Subjects are API-key ids, so the map is bounded by the
 * number of keys that have been used.
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  take(subject: string, requestsPerMinute: number, now: number): Promise<TokenBucketDecision> {
    const { bucket, decision } = takeToken(this.buckets.get(subject), requestsPerMinute, now);
    this.buckets.set(subject, bucket);
    return Promise.resolve(decision);
  }
}
