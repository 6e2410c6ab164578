import { Logger } from '@nestjs/common';
import { InMemoryRateLimiter, type RateLimiter } from './rate-limiter.ts';
import type { TokenBucketDecision } from './token-bucket.ts';
import type { TokenBucketRepository } from './token-bucket.repository.ts';

/**
 * The rate limiter of a fleet: each key's token bucket lives in Redis, so a key's limit holds
 * however many instances its requests are spread over.
 *
 * While Redis is unreachable each instance falls back to its own in-memory buckets: requests keep
 * flowing (a rate limit is not worth an outage), each instance still enforces the limit on what it
 * sees, but across N instances a key may get up to N times its limit until Redis is back. The
 * local buckets are not merged into Redis afterwards; the shared bucket simply resumes.
 */
export class FleetRateLimiter implements RateLimiter {
  readonly #logger = new Logger('RateLimiter');
  private readonly local = new InMemoryRateLimiter();
  private fallingBack = false;

  constructor(private readonly repository: Pick<TokenBucketRepository, 'take'>) {}

  async take(subject: string, requestsPerMinute: number, now: number): Promise<TokenBucketDecision> {
    try {
      const decision = await this.repository.take(subject, requestsPerMinute, now);
      if (this.fallingBack) {
        this.fallingBack = false;
        this.#logger.log('Redis answers again: rate limits are shared across the fleet again.');
      }
      return decision;
    } catch {
      if (!this.fallingBack) {
        this.fallingBack = true;
        this.#logger.warn(
          'Redis is unreachable: rate limits fall back to this instance alone until it returns.',
        );
      }
      return this.local.take(subject, requestsPerMinute, now);
    }
  }
}
