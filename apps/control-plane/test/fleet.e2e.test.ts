import 'reflect-metadata';
import { createControlPlaneRegistrySource, type ControlPlaneRegistrySource } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import {
  eventually,
  faultModel,
  fleetModels,
  modelHealth,
  readEvents,
  redisUrl,
  startFleet,
  type Fleet,
} from './fleet-support.ts';
import { adminCall } from './support/gateway-test-app.ts';

const postgres = testDatabaseTargets().find((target) => target.name === 'PostgreSQL')!;
const available = postgres.available && redisUrl !== undefined;
if (redisUrl === undefined) {
  console.warn('REDIS_URL is not set: the fleet tests (several instances sharing Redis) are skipped.');
}

/** A service key with `rateLimitPerMinute`, created at `base`. */
async function serviceKey(base: string, rateLimitPerMinute: number): Promise<string> {
  const created = await adminCall(base, 'POST', '/admin/api-keys', {
    name: `fleet-${rateLimitPerMinute}`,
    scope: 'service',
    rateLimitPerMinute,
  });
  if (created.status !== 201) throw new Error(`could not create a key: HTTP ${created.status}`);
  return created.body.key as string;
}

describe.skipIf(!available)('a fleet of three control planes sharing Redis and PostgreSQL', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(postgres, {
      size: 3,
      probeIntervalMs: 0,
      redisUrl: redisUrl!,
      models: [
        faultModel(fleetModels.healthy, 'healthy'),
        faultModel(fleetModels.slowDown, 'rate-limit-retry-after-60000'),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
  }, 120_000);

  it('reports a circuit opened by traffic at instance A as open at B and C, with the same cooldown', async () => {
    const [a, b, c] = fleet.instances;
    const apiKey = await serviceKey(a!.base, 1_000_000);
    const response = await fetch(`${a!.base}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'x-switchboard-failover': 'off',
      },
      body: JSON.stringify({ model: fleetModels.slowDown, messages: [{ role: 'user', content: 'Hello?' }] }),
    });
    const answeredAt = performance.now();
    expect(response.status).toBeGreaterThanOrEqual(400);
    const atA = await modelHealth(a!.base, fleetModels.slowDown);
    expect(atA.circuit).toMatchObject({ status: 'open', openReason: 'retry-after' });

    for (const other of [b!, c!]) {
      const seen = await eventually(async () => {
        const health = await modelHealth(other.base, fleetModels.slowDown);
        return health.circuit.status === 'open' ? health : undefined;
      }, `the open circuit at ${other.base}`);
      expect(seen.circuit).toMatchObject({ openReason: 'retry-after', openUntil: atA.circuit.openUntil });
      // An upper bound: includes the polling of /admin/health/models.
      console.info(
        `circuit opened at A seen open at ${other === b ? 'B' : 'C'} ${(performance.now() - answeredAt).toFixed(1)} ms after A answered`,
      );
    }

    // An operator's reset at C closes it everywhere.
    const reset = await adminCall(
      c!.base,
      'POST',
      `/admin/health/models/${encodeURIComponent(fleetModels.slowDown)}/reset`,
    );
    expect(reset.status).toBe(200);
    for (const other of [a!, b!]) {
      await eventually(async () => {
        const health = await modelHealth(other.base, fleetModels.slowDown);
        return health.circuit.status === 'closed' ? true : undefined;
      }, `the reset circuit at ${other.base}`);
    }
  }, 120_000);

  it("holds a key's rate limit across the fleet: about the limit is admitted in all", async () => {
    const limit = 30;
    const apiKey = await serviceKey(fleet.instances[0]!.base, limit);
    const startedAt = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: limit * 3 }, async (_, index) => {
        const instance = fleet.instances[index % fleet.instances.length]!;
        const response = await fetch(`${instance.base}/v1/models`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const elapsedMs = Date.now() - startedAt;
    const admitted = statuses.filter((status) => status === 200).length;
    const refused = statuses.filter((status) => status === 429).length;
    console.info(
      `rate limit ${limit}/min over 3 instances: ${admitted} admitted, ${refused} refused in ${elapsedMs} ms`,
    );
    expect(admitted + refused).toBe(limit * 3);
    // The bucket refills half a request per second while the burst runs; each instance alone would admit 30.
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + Math.ceil(elapsedMs / 2_000) + 1);
  }, 120_000);

  it('brings a registry change made at instance A to an SDK subscribed at instance B within a second', async () => {
    const [a, b] = fleet.instances;
    const apiKey = await serviceKey(a!.base, 1_000_000);
    const eventsAtA = readEvents(a!.base, apiKey);
    const eventsAtB = readEvents(b!.base, apiKey);
    let source: ControlPlaneRegistrySource | undefined;
    try {
      source = await createControlPlaneRegistrySource({ baseUrl: b!.base, apiKey, pollIntervalMs: 600_000 });
      const before = source.current().version;
      await eventually(
        () =>
          Promise.resolve(eventsAtA.versions.length > 0 && eventsAtB.versions.length > 0 ? true : undefined),
        'both event streams to open',
      );
      const displayName = `Renamed at A ${Date.now()}`;
      let adoptedAt: number | undefined;
      source.subscribe((snapshot) => {
        const model = snapshot.models.find((item) => item.id === fleetModels.healthy);
        if (model?.displayName === displayName) adoptedAt ??= performance.now();
      });
      const changedAt = performance.now();
      const changed = await adminCall(
        a!.base,
        'PATCH',
        `/admin/models/${encodeURIComponent(fleetModels.healthy)}`,
        {
          displayName,
        },
      );
      const committedAt = performance.now();
      expect(changed.status).toBe(200);
      await eventually(() => Promise.resolve(adoptedAt), 'the SDK at B to adopt the change', 10_000);
      const fromRequest = adoptedAt! - changedAt;
      const fromCommit = adoptedAt! - committedAt;
      console.info(
        `registry fan-out A -> SDK at B: ${fromRequest.toFixed(1)} ms from the PATCH request, ` +
          `${fromCommit.toFixed(1)} ms after its response`,
      );
      expect(source.current().version).toBeGreaterThan(before);
      const version = source.current().version;
      // Each instance's stream announced the new version exactly once (no echo at A).
      await eventually(
        () =>
          Promise.resolve(
            eventsAtA.versions.includes(version) && eventsAtB.versions.includes(version) ? true : undefined,
          ),
        'both streams to announce the change',
      );
      expect(eventsAtA.versions.filter((seen) => seen === version)).toHaveLength(1);
      expect(eventsAtB.versions.filter((seen) => seen === version)).toHaveLength(1);
    } finally {
      await source?.close();
      eventsAtA.stop();
      eventsAtB.stop();
    }
  }, 120_000);
});

describe.skipIf(!available)('active probes in a fleet of three', () => {
  const intervalMs = 1_500;
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet(postgres, {
      size: 3,
      probeIntervalMs: intervalMs,
      redisUrl: redisUrl!,
      models: [faultModel(fleetModels.healthy, 'healthy')],
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
  }, 120_000);

  it('probes each model once per interval across the fleet, and every instance shows the last probe', async () => {
    const probesOfHealthy = () =>
      fleet.faultServer.attempts().filter((attempt) => attempt.model === 'healthy');
    await eventually(
      () => Promise.resolve(probesOfHealthy().length >= 6 ? true : undefined),
      'six probe intervals',
      60_000,
    );
    const probes = probesOfHealthy();
    const spanMs = probes.at(-1)!.arrivedAt - probes[0]!.arrivedAt;
    const intervals = spanMs / intervalMs;
    console.info(
      `probes of fault/healthy by 3 instances: ${probes.length} over ${spanMs} ms (${intervals.toFixed(1)} intervals)`,
    );
    // Three instances probing on their own would make about three probes per interval.
    expect(probes.length).toBeLessThanOrEqual(Math.floor(intervals) + 2);

    for (const instance of fleet.instances) {
      const list = await adminCall(instance.base, 'GET', '/admin/health/models');
      expect(list.body.probes).toMatchObject({ mode: 'fleet', intervalMs });
      expect(list.body.probes.lastRoundAt).not.toBeNull();
      const healthy = await eventually(async () => {
        const health = await modelHealth(instance.base, fleetModels.healthy);
        return health.lastProbe === null ? undefined : health;
      }, `the last probe at ${instance.base}`);
      expect(healthy).toMatchObject({
        circuit: { status: 'closed' },
        lastProbe: { outcome: 'success' },
        errorRate: 0,
        latencyMs: { samples: expect.any(Number) },
      });
    }
  }, 120_000);
});
