/**
 * One key's bucket: how many requests it may still send at once, as of `updatedAt`. Plain data, so
 * a Redis-backed limiter can store the same two numbers (and run the same arithmetic in a script).
 */
export interface TokenBucket {
  /** Tokens available at `updatedAt`; fractional while refilling. */
  tokens: number;
  /** Milliseconds of the injected clock. */
  updatedAt: number;
}

/** What the bucket decided about one request. */
export type TokenBucketDecision =
  | {
      allowed: true;
      /** Whole requests still available right now. */
      remaining: number;
    }
  | {
      allowed: false;
      /** How long until one request's worth has refilled, in milliseconds (at least 1). */
      retryAfterMs: number;
    };

/**
 * Takes one token for a request at `now`, limiting a key to `requestsPerMinute` on average with
 * bursts of up to `requestsPerMinute` (the bucket holds one minute's allowance and refills
 * continuously). Pure: returns the bucket to store and the decision. A missing bucket is full; a
 * clock that went backwards refills nothing.
 */
export function takeToken(
  bucket: TokenBucket | undefined,
  requestsPerMinute: number,
  now: number,
): { bucket: TokenBucket; decision: TokenBucketDecision } {
  const capacity = requestsPerMinute;
  const refillPerMs = requestsPerMinute / 60_000;
  const elapsedMs = bucket === undefined ? 0 : Math.max(0, now - bucket.updatedAt);
  const available =
    bucket === undefined ? capacity : Math.min(capacity, bucket.tokens + elapsedMs * refillPerMs);
  // The tolerance absorbs floating-point error, so waiting exactly the Retry-After always suffices.
  if (available >= 1 - 1e-9) {
    const tokens = Math.max(0, available - 1);
    return { bucket: { tokens, updatedAt: now }, decision: { allowed: true, remaining: Math.floor(tokens) } };
  }
  const retryAfterMs = Math.max(1, Math.ceil((1 - available) / refillPerMs));
  return { bucket: { tokens: available, updatedAt: now }, decision: { allowed: false, retryAfterMs } };
}
