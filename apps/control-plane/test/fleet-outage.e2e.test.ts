import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
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
// REDIS_URL gates the suite like the other fleet tests (CI has redis-server); the outage itself is a private child.
const available = postgres.available && redisUrl !== undefined;
if (redisUrl === undefined) {
  console.warn('REDIS_URL is not set: the fleet outage tests are skipped.');
}

const outageModel = 'fault/slow-down-during-outage';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A throwaway Redis on `port` (never the machine's own on 6379), stopped with SIGKILL like a crash. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

async function openSlowDown(base: string, apiKey: string, modelId: string): Promise<void> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'x-switchboard-failover': 'off',
    },
    body: JSON.stringify({ model: modelId, messages: [{ role: 'user', content: 'Hello?' }] }),
  });
  await response.arrayBuffer();
  expect(response.status).toBeGreaterThanOrEqual(400);
}

async function circuitStatus(base: string, modelId: string): Promise<string> {
  return (await modelHealth(base, modelId)).circuit.status;
}

describe.skipIf(!available)('a fleet whose Redis goes down and comes back', () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let fleet: Fleet;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    fleet = await startFleet(postgres, {
      size: 2,
      probeIntervalMs: 0,
      redisUrl: `redis://127.0.0.1:${port}`,
      models: [
        faultModel(fleetModels.healthy, 'healthy'),
        faultModel(fleetModels.slowDown, 'rate-limit-retry-after-60000'),
        faultModel(outageModel, 'rate-limit-retry-after-60000'),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await stopRedis(redis);
  });

  it('keeps serving on local state during the outage and rejoins the shared state afterwards', async () => {
    const [a, b] = fleet.instances;
    const created = await adminCall(a!.base, 'POST', '/admin/api-keys', {
      name: 'outage',
      scope: 'service',
      rateLimitPerMinute: 1_000_000,
    });
    const apiKey = created.body.key as string;

    const eventsAtB = readEvents(b!.base, apiKey);
    // Shared while Redis is up.
    await openSlowDown(a!.base, apiKey, fleetModels.slowDown);
    await eventually(
      async () => ((await circuitStatus(b!.base, fleetModels.slowDown)) === 'open' ? true : undefined),
      'the circuit opened at A to show at B',
    );

    await stopRedis(redis);
    redis = undefined;

    // During the outage: traffic and rate limiting go on (local buckets), circuits move locally.
    await openSlowDown(a!.base, apiKey, outageModel);
    expect(await circuitStatus(a!.base, outageModel)).toBe('open');
    expect(await circuitStatus(b!.base, outageModel)).toBe('closed');
    const models = await fetch(`${b!.base}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` } });
    await models.arrayBuffer();
    expect(models.status).toBe(200);
    const renamed = await adminCall(
      a!.base,
      'PATCH',
      `/admin/models/${encodeURIComponent(fleetModels.healthy)}`,
      {
        displayName: 'Renamed during the outage',
      },
    );
    expect(renamed.status).toBe(200);
    const changedVersion = (await adminCall(a!.base, 'GET', '/v1/registry/snapshot')).body.version as number;

    redis = await startRedis(port);

    // The transition Redis missed reaches B once A has written it back.
    await eventually(
      async () => ((await circuitStatus(b!.base, outageModel)) === 'open' ? true : undefined),
      'the circuit opened during the outage to reach B',
      30_000,
    );
    // An SDK streaming from B hears of the change made at A during the outage once B resubscribes.
    await eventually(
      () => Promise.resolve(eventsAtB.versions.includes(changedVersion) ? true : undefined),
      'the event stream at B to announce the change made during the outage',
    );
    eventsAtB.stop();
    // And new transitions are shared again, both ways.
    const reset = await adminCall(
      b!.base,
      'POST',
      `/admin/health/models/${encodeURIComponent(outageModel)}/reset`,
    );
    expect(reset.status).toBe(200);
    await eventually(
      async () => ((await circuitStatus(a!.base, outageModel)) === 'closed' ? true : undefined),
      'the reset at B to reach A',
    );
    // Also for a circuit shared before the outage: the new Redis started empty, its versions from 1.
    const resetAtA = await adminCall(
      a!.base,
      'POST',
      `/admin/health/models/${encodeURIComponent(fleetModels.slowDown)}/reset`,
    );
    expect(resetAtA.status).toBe(200);
    await eventually(
      async () => ((await circuitStatus(b!.base, fleetModels.slowDown)) === 'closed' ? true : undefined),
      'the reset at A to reach B',
    );

    // An instance shuts down cleanly while Redis is unreachable (the probe queue and subscribers give up).
    await stopRedis(redis);
    redis = undefined;
    await b!.controlPlane.close();
  }, 120_000);
});

describe.skipIf(!available)('active probes of a fleet whose Redis goes down and comes back', () => {
  const intervalMs = 1_000;
  let port: number;
  let redis: ChildProcess | undefined;
  let fleet: Fleet;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    fleet = await startFleet(postgres, {
      size: 2,
      probeIntervalMs: intervalMs,
      redisUrl: `redis://127.0.0.1:${port}`,
      models: [faultModel(fleetModels.healthy, 'healthy')],
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await stopRedis(redis);
  });

  it('probes locally at every instance during the outage, and once per interval again afterwards', async () => {
    const probes = () => fleet.faultServer.attempts().filter((attempt) => attempt.model === 'healthy');
    await eventually(() => Promise.resolve(probes().length >= 2 ? true : undefined), 'fleet probes');

    await stopRedis(redis);
    redis = undefined;
    const downAt = Date.now();
    // After a whole interval without Redis each instance runs its own rounds: about two probes per interval.
    await eventually(
      () =>
        Promise.resolve(probes().filter((probe) => probe.arrivedAt > downAt).length >= 6 ? true : undefined),
      'local probes during the outage',
      30_000,
    );
    for (const instance of fleet.instances) {
      const health = await modelHealth(instance.base, fleetModels.healthy);
      expect(health.lastProbe).toMatchObject({ outcome: 'success' });
      expect(Date.parse((health.lastProbe as { at: string }).at)).toBeGreaterThan(downAt);
    }

    redis = await startRedis(port);
    const upAt = Date.now();
    // Let the fleet schedule settle, then count over several intervals.
    await new Promise((resolve) => setTimeout(resolve, 3 * intervalMs));
    const countFrom = Date.now();
    await eventually(
      () =>
        Promise.resolve(
          probes().filter((probe) => probe.arrivedAt > countFrom).length >= 5 ? true : undefined,
        ),
      'fleet probes after the outage',
      30_000,
    );
    const after = probes().filter((probe) => probe.arrivedAt > countFrom);
    const spanMs = after.at(-1)!.arrivedAt - after[0]!.arrivedAt;
    console.info(
      `after Redis came back (${countFrom - upAt} ms settling): ${after.length} probes over ${spanMs} ms by 2 instances`,
    );
    expect(after.length).toBeLessThanOrEqual(Math.floor(spanMs / intervalMs) + 2);
  }, 120_000);
});
