import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { RedisRegistryChangeBus } from './redis-registry-change-bus.ts';
import type { RegistryChange } from './registry-change-bus.ts';

const redisUrl = process.env.REDIS_URL?.trim() || undefined;
if (redisUrl === undefined)
  console.warn('REDIS_URL is not set: the Redis registry change bus tests are skipped.');

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(redisUrl === undefined)('RedisRegistryChangeBus', () => {
  const connections: RedisConnection[] = [];

  afterEach(async () => {
    for (const redis of connections.splice(0)) await redis.onApplicationShutdown();
  });

  function instance(prefix: string, state: RegistryChange) {
    const redis = new RedisConnection(
      loadControlPlaneConfig({}, { redisUrl: redisUrl!, redisKeyPrefix: prefix }),
    );
    connections.push(redis);
    const heard: RegistryChange[] = [];
    const bus = new RedisRegistryChangeBus(redis, () => Promise.resolve(state));
    bus.subscribe((change) => heard.push(change));
    return { bus, heard };
  }

  it('passes a change on to the listeners of every instance, once each', async () => {
    const prefix = `sb_registry_${randomBytes(6).toString('hex')}`;
    const initial = { version: 1, hash: 'one' };
    const a = instance(prefix, initial);
    const b = instance(prefix, initial);
    // Each subscriber catches up with the current state when it connects.
    await until(() => a.heard.length > 0 && b.heard.length > 0, 'both subscribers to connect');
    expect(b.heard).toEqual([initial]);

    await a.bus.publish({ version: 2, hash: 'two' });
    await until(() => b.heard.some((change) => change.version === 2), 'the change at B');
    // A round trip later A's own announcement has come back, and was ignored.
    await a.bus.publish({ version: 3, hash: 'three' });
    await until(() => b.heard.some((change) => change.version === 3), 'the second change at B');
    expect(a.heard.filter((change) => change.version >= 2)).toEqual([
      { version: 2, hash: 'two' },
      { version: 3, hash: 'three' },
    ]);
    expect(b.heard.filter((change) => change.version >= 2)).toEqual([
      { version: 2, hash: 'two' },
      { version: 3, hash: 'three' },
    ]);
  });

  it('still reaches its own listeners while Redis is unreachable', async () => {
    const redis = new RedisConnection(loadControlPlaneConfig({}, { redisUrl: 'redis://127.0.0.1:1' }));
    connections.push(redis);
    const bus = new RedisRegistryChangeBus(redis, () => Promise.resolve({ version: 1, hash: 'one' }));
    const heard: RegistryChange[] = [];
    bus.subscribe((change) => heard.push(change));
    await bus.publish({ version: 2, hash: 'two' });
    expect(heard).toEqual([{ version: 2, hash: 'two' }]);
  });
});
