import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { FleetRateLimiter } from './fleet-rate-limiter.ts';
import { takeToken, type TokenBucket, type TokenBucketDecision } from './token-bucket.ts';
import { TokenBucketRepository } from './token-bucket.repository.ts';

const redisUrl = process.env.REDIS_URL?.trim() || undefined;
if (redisUrl === undefined) console.warn('REDIS_URL is not set: the Redis token bucket tests are skipped.');

function connection(url: string, prefix: string): RedisConnection {
  return new RedisConnection(loadControlPlaneConfig({}, { redisUrl: url, redisKeyPrefix: prefix }));
}

async function whenReady(redis: RedisConnection): Promise<void> {
  for (let waited = 0; !redis.ready; waited += 10) {
    if (waited > 10_000) throw new Error('Redis did not connect');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(redisUrl === undefined)('the token bucket in Redis', () => {
  const prefix = `sb_buckets_${randomBytes(6).toString('hex')}`;
  const connections: RedisConnection[] = [];

  afterAll(async () => {
    const client = connections[0]?.client;
    const keys = (await client?.keys(`${prefix}:*`)) ?? [];
    if (keys.length > 0) await client!.del(...keys);
    for (const redis of connections) await redis.onApplicationShutdown();
  });

  it('decides exactly as the in-process bucket, request after request', async () => {
    const redis = connection(redisUrl!, prefix);
    connections.push(redis);
    await whenReady(redis);
    const sut = new TokenBucketRepository(redis);
    let bucket: TokenBucket | undefined;
    let now = 1_000_000;
    // A burst past the limit, a partial refill, a clock that goes backwards, a long pause.
    const steps = [...Array<number>(12).fill(0), 1_000, 1_500, 0, -5_000, 0, 60_000, 0];
    for (const step of steps) {
      now += step;
      const expected = takeToken(bucket, 10, now);
      bucket = {
        tokens: expected.bucket.tokens,
        updatedAt: Math.max(expected.bucket.updatedAt, bucket?.updatedAt ?? 0),
      };
      const decision: TokenBucketDecision = await sut.take('key-1', 10, now);
      expect(decision).toEqual(expected.decision);
    }
  });

  it("holds one key's limit across two instances' limiters", async () => {
    const [first, second] = [connection(redisUrl!, prefix), connection(redisUrl!, prefix)];
    connections.push(first, second);
    await Promise.all([whenReady(first), whenReady(second)]);
    const limiters = [
      new FleetRateLimiter(new TokenBucketRepository(first)),
      new FleetRateLimiter(new TokenBucketRepository(second)),
    ];
    const now = 5_000_000;
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, index) => limiters[index % 2]!.take('key-2', 20, now)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(20);
    expect(decisions.find((decision) => !decision.allowed)).toEqual({ allowed: false, retryAfterMs: 3_000 });
  });

  it('falls back to a local bucket while Redis is unreachable', async () => {
    const unreachable = connection('redis://127.0.0.1:1', prefix);
    connections.push(unreachable);
    const sut = new FleetRateLimiter(new TokenBucketRepository(unreachable));
    const decisions = await Promise.all(Array.from({ length: 4 }, () => sut.take('key-3', 3, 7_000_000)));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
  });
});
