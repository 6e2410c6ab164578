import { Inject, Injectable } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection.ts';
import type { TokenBucketDecision } from './token-bucket.ts';

/**
 * `takeToken` (see token-bucket.ts) as one atomic script, so that every instance takes from the
 * same bucket and two requests at two instances can never both take the last token.
 *
 * KEYS[1] the key's bucket hash (`tokens`, `updatedAt`)
 * ARGV[1] requests per minute (the capacity), ARGV[2] now in milliseconds of the caller's clock.
 * Returns `{ allowed (1 or 0), tokens left as a string, retry-after ms }`; Lua numbers would be
 * truncated to integers on the way out, hence the string.
 *
 * `updatedAt` never moves backwards: an instance whose clock lags refills nothing rather than
 * letting the next instance refill the lag twice. A bucket left alone for a minute is full again,
 * which is what a missing bucket means, so the hash expires then.
 */
const takeTokenScript = `
local capacity = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local refillPerMs = capacity / 60000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updatedAt')
local available = capacity
local updatedAt = now
if stored[1] and stored[2] then
  local storedAt = tonumber(stored[2])
  available = math.min(capacity, tonumber(stored[1]) + math.max(0, now - storedAt) * refillPerMs)
  updatedAt = math.max(now, storedAt)
end
local allowed = 0
local tokens = available
local retryAfterMs = 0
if available >= 1 - 1e-9 then
  allowed = 1
  tokens = math.max(0, available - 1)
else
  retryAfterMs = math.max(1, math.ceil((1 - available) / refillPerMs))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'updatedAt', string.format('%d', updatedAt))
redis.call('PEXPIRE', KEYS[1], 61000)
return { allowed, string.format('%.17g', tokens), retryAfterMs }
`;

/** The token buckets of API keys in Redis, under `keys.rateLimit(apiKeyId)`. */
@Injectable()
export class TokenBucketRepository {
  constructor(@Inject(RedisConnection) private readonly redis: RedisConnection) {}

  /** Takes one request from `subject`'s bucket; rejects at once while Redis is unreachable. */
  async take(subject: string, requestsPerMinute: number, now: number): Promise<TokenBucketDecision> {
    const client = this.redis.client;
    if (client === undefined) throw new Error('Redis is not configured: set REDIS_URL.');
    const reply = (await client.eval(
      takeTokenScript,
      1,
      this.redis.keys.rateLimit(subject),
      String(requestsPerMinute),
      String(Math.floor(now)),
    )) as [number, string, number];
    const [allowed, tokens, retryAfterMs] = reply;
    if (allowed === 1) return { allowed: true, remaining: Math.floor(Number(tokens)) };
    return { allowed: false, retryAfterMs: Math.max(1, Number(retryAfterMs)) };
  }
}
