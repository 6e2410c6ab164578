import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { CircuitStateRepository } from './circuit-state.repository.ts';
import { defaultHealthOptions } from './health-options.ts';
import { ModelHealthService } from './model-health.service.ts';
import { SharedCircuits } from './shared-circuits.ts';
import { manualClock, type ManualClock } from './__fixtures__/health-test-app.ts';

const redisUrl = process.env.REDIS_URL?.trim() || undefined;
if (redisUrl === undefined) console.warn('REDIS_URL is not set: the shared circuit tests are skipped.');

/** One instance's health with its Redis link, as the health module wires them. */
interface Instance {
  health: ModelHealthService;
  shared: SharedCircuits;
  redis: RedisConnection;
}

describe.skipIf(redisUrl === undefined)('SharedCircuits over a real Redis', () => {
  const opened: Instance[] = [];
  let clock: ManualClock;
  let prefix: string;

  function instance(): Instance {
    const config = loadControlPlaneConfig(
      {},
      { redisUrl: redisUrl!, redisKeyPrefix: prefix, logLevel: 'silent' },
    );
    const redis = new RedisConnection(config);
    const health = new ModelHealthService(clock, defaultHealthOptions, new MetricsService());
    const shared = new SharedCircuits(health, new CircuitStateRepository(redis));
    shared.onModuleInit();
    const created = { health, shared, redis };
    opened.push(created);
    return created;
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let waited = 0; !condition(); waited += 10) {
      if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function started(): Promise<Instance[]> {
    const instances = [instance(), instance()];
    for (const { redis } of instances) await until(() => redis.ready, 'Redis');
    // A subscription is live once a round trip through it has come back.
    await instances[0]!.shared.resync();
    return instances;
  }

  afterEach(async () => {
    for (const { shared, redis } of opened.splice(0)) {
      await shared.onApplicationShutdown();
      const client = redis.client!;
      const keys = await client.keys(`${prefix}:*`);
      if (keys.length > 0) await client.del(...keys);
      await redis.onApplicationShutdown();
    }
  });

  function fresh(): void {
    clock = manualClock(Date.now());
    prefix = `sb_circuits_${randomBytes(6).toString('hex')}`;
  }

  it('shows a circuit opened at one instance as open, with the same cooldown, at the other', async () => {
    fresh();
    const [a, b] = await started();
    await new Promise((resolve) => setTimeout(resolve, 100));
    a!.health.recordOutcome('sim/down', { ok: false, kind: 'overloaded', retryAfterMs: 30_000 });
    const openedAtA = a!.health.circuitOf('sim/down');
    expect(openedAtA.status).toBe('open');
    await until(() => b!.health.statusOf('sim/down', clock.now()) === 'open', 'the open circuit at B');
    expect(b!.health.circuitOf('sim/down')).toMatchObject({
      openUntil: openedAtA.openUntil,
      openReason: 'retry-after',
    });
    // Past the cooldown both read half-open without anyone writing it; B's trial closes it everywhere.
    clock.advance(30_001);
    expect(a!.health.statusOf('sim/down', clock.now())).toBe('half-open');
    expect(b!.health.admit('sim/down', clock.now()).admitted).toBe(true);
    await until(() => a!.health.circuitOf('sim/down').probeInFlight, 'the claimed trial at A');
    expect(a!.health.admit('sim/down', clock.now()).admitted).toBe(false);
    b!.health.report('sim/down', { type: 'success' }, clock.now());
    await until(() => a!.health.statusOf('sim/down', clock.now()) === 'closed', 'the closed circuit at A');
  });

  it('keeps local counts when its own transition comes back, and converges when both write at once', async () => {
    fresh();
    const [a, b] = await started();
    a!.health.recordOutcome('sim/flaky', { ok: false, kind: 'overloaded', retryAfterMs: 5_000 });
    b!.health.recordOutcome('sim/flaky', { ok: false, kind: 'overloaded', retryAfterMs: 9_000 });
    // Redis orders the two writes; whichever came last is what both end up holding.
    await until(
      () => a!.health.circuitOf('sim/flaky').openUntil === b!.health.circuitOf('sim/flaky').openUntil,
      'both instances to agree',
    );
    const stored = await new CircuitStateRepository(a!.redis).readAll();
    expect(stored.find((item) => item.modelId === 'sim/flaky')?.state.openUntil).toBe(
      a!.health.circuitOf('sim/flaky').openUntil,
    );

    // Counting is local: failures at A after it closed the circuit do not travel, and the echo of
    // A's own closing does not erase them.
    a!.health.recordOutcome('sim/counted', { ok: false, kind: 'overloaded', retryAfterMs: 5_000 });
    await until(() => b!.health.circuitOf('sim/counted').status === 'open', 'the open circuit at B');
    clock.advance(5_001);
    expect(a!.health.admit('sim/counted', clock.now()).admitted).toBe(true);
    a!.health.report('sim/counted', { type: 'success' }, clock.now());
    a!.health.recordOutcome('sim/counted', { ok: false, kind: 'server' });
    a!.health.recordOutcome('sim/counted', { ok: false, kind: 'server' });
    await until(() => b!.health.circuitOf('sim/counted').status === 'closed', 'the closed circuit at B');
    // A round trip after the echo: A's echo has come back by now.
    await a!.shared.resync();
    expect(a!.health.circuitOf('sim/counted')).toMatchObject({ status: 'closed', consecutiveFailures: 2 });
    expect(b!.health.circuitOf('sim/counted')).toMatchObject({ status: 'closed', consecutiveFailures: 0 });
  });

  it('lets an instance that joins later read the circuits already open', async () => {
    fresh();
    const [a] = await started();
    a!.health.recordOutcome('sim/down', { ok: false, kind: 'overloaded', retryAfterMs: 60_000 });
    await until(() => a!.health.circuitOf('sim/down').status === 'open', 'the open circuit at A');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = instance();
    await until(() => late.health.statusOf('sim/down', clock.now()) === 'open', 'the joiner to read it');
  });
});
