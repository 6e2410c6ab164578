import 'reflect-metadata';
import { ProviderError } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabaseLocation,
  testEngines,
  type TestDatabaseLocation,
} from '../auth/__fixtures__/test-database.ts';
import { ModelHealthService } from './model-health.service.ts';
import { PROBE_RUNNER, PROBE_TARGETS, type ProbeRunner, type ProbeTargetSource } from './probe-runner.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import {
  createHealthTestApp,
  unreachableDatabase,
  type HealthTestApp,
} from './__fixtures__/health-test-app.ts';

const redisUrl = process.env.REDIS_URL;
if (redisUrl === undefined || redisUrl === '') {
  console.warn('REDIS_URL is not set: the readiness test against a live Redis is skipped.');
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

for (const target of testEngines) {
  const engine = target.name === 'PGlite' ? 'pglite' : 'postgres';
  describe.skipIf(!target.available)(`liveness and readiness (${target.name})`, () => {
    let location: TestDatabaseLocation;
    let app: HealthTestApp;

    beforeAll(async () => {
      location = await createTestDatabaseLocation(target);
      app = await createHealthTestApp(await location.open());
    });

    afterAll(async () => {
      await app?.close();
      await location?.remove();
    });

    it('answers /health/live while the process runs', async () => {
      const { status, body } = await getJson(`${app.url}/health/live`);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
    });

    it('answers /health/ready with 200 when the database answers', async () => {
      const { status, body } = await getJson(`${app.url}/health/ready`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', info: { database: { status: 'up', engine } } });
    });
  });
}

describe('readiness with a dependency down', () => {
  it('reports a database that does not answer as 503, naming it and why', async () => {
    const app = await createHealthTestApp(unreachableDatabase(), { health: { readinessTimeoutMs: 3_000 } });
    try {
      const ready = await getJson(`${app.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'error',
        error: {
          database: {
            status: 'down',
            engine: 'postgres',
            message: expect.stringMatching(/ECONNREFUSED|refused/),
          },
        },
      });
      // Liveness does not depend on the database: a slow database must not get the process restarted.
      expect((await getJson(`${app.url}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('reports a configured Redis that does not answer as 503', async () => {
    const location = await createTestDatabaseLocation(testEngines[0]!);
    const app = await createHealthTestApp(await location.open(), {
      config: { redisUrl: 'redis://127.0.0.1:1' },
      health: { readinessTimeoutMs: 1_500 },
    });
    try {
      const ready = await getJson(`${app.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down', message: expect.any(String) } },
      });
    } finally {
      await app.close();
      await location.remove();
    }
  });

  it.skipIf(redisUrl === undefined || redisUrl === '')(
    'checks a live Redis when REDIS_URL is set',
    async () => {
      const location = await createTestDatabaseLocation(testEngines[0]!);
      const app = await createHealthTestApp(await location.open(), { config: { redisUrl: redisUrl! } });
      try {
        const ready = await getJson(`${app.url}/health/ready`);
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ info: { database: { status: 'up' }, redis: { status: 'up' } } });
      } finally {
        await app.close();
        await location.remove();
      }
    },
  );
});

describe('/admin/health/models', () => {
  it('shows each model’s circuit, last probe, error rate and latency quantiles, and exports the circuit gauge', async () => {
    const targets: ProbeTargetSource = {
      listTargets: () =>
        Promise.resolve([
          { modelId: 'sim/steady', provider: 'sim' },
          { modelId: 'sim/down', provider: 'sim' },
        ]),
    };
    const runner: ProbeRunner = (target) =>
      target.modelId === 'sim/down'
        ? Promise.reject(new ProviderError({ kind: 'server', message: 'HTTP 500', status: 500 }))
        : Promise.resolve({ ok: true });
    const app = await createHealthTestApp(unreachableDatabase(), {
      health: { probeIntervalMs: 3_600_000 },
      providers: [
        { provide: PROBE_TARGETS, useValue: targets },
        { provide: PROBE_RUNNER, useValue: runner },
      ],
    });
    try {
      const health = app.app.get(ModelHealthService);
      health.recordOutcome('sim/steady', { ok: true, latencyMs: 120 });
      health.recordOutcome('sim/steady', { ok: true, latencyMs: 480 });
      health.recordOutcome('sim/steady', { ok: false, kind: 'timeout', latencyMs: 10_000 });
      health.recordOutcome('sim/steady', { ok: false, kind: 'bad_request' });
      health.recordOutcome('gateway/only', { ok: true, latencyMs: 50 });
      const scheduler = app.app.get(ProbeScheduler);
      for (let round = 0; round < 5; round += 1)
        await scheduler.runRound(runner, await targets.listTargets());

      const { status, body } = await getJson(`${app.url}/admin/health/models`);
      expect(status).toBe(200);
      const data = body.data as { modelId: string }[];
      expect(data.map((entry) => entry.modelId)).toEqual(['sim/steady', 'sim/down', 'gateway/only']);
      const steady = data[0] as Record<string, unknown>;
      expect(steady).toMatchObject({
        provider: 'sim',
        circuit: { status: 'closed' },
        lastProbe: { outcome: 'success', at: new Date(app.clock.now()).toISOString() },
        window: { attempts: 8, failures: 1 },
        errorRate: 1 / 8,
        latencyMs: { p50: 0, p95: 480, samples: 7 },
      });
      expect(data[1]).toMatchObject({
        provider: 'sim',
        circuit: { status: 'open', openReason: 'consecutive-failures', openCount: 1 },
        lastProbe: { outcome: 'server' },
        errorRate: 1,
      });
      expect(data[2]).toMatchObject({ provider: null, circuit: { status: 'closed' }, lastProbe: null });
      expect(body.probes).toMatchObject({ mode: 'in-process', intervalMs: 3_600_000 });

      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toContain('switchboard_circuit_state{model="sim/down"} 2');
      expect(metrics).toContain('switchboard_circuit_state{model="sim/steady"} 0');
      expect(metrics).toMatch(/switchboard_probes_total\{model="sim\/down",outcome="server"\} 5/);

      // The cooldown passes: the gauge says half-open without any new event.
      app.clock.advance(60_000);
      const later = await (await fetch(`${app.url}/metrics`)).text();
      expect(later).toContain('switchboard_circuit_state{model="sim/down"} 1');

      const reset = await fetch(`${app.url}/admin/health/models/${encodeURIComponent('sim/down')}/reset`, {
        method: 'POST',
      });
      expect(reset.status).toBe(200);
      expect(((await reset.json()) as { circuit: { status: string } }).circuit.status).toBe('closed');
    } finally {
      await app.close();
    }
  });
});
