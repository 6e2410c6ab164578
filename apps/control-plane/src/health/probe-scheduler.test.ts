import 'reflect-metadata';
import { ProviderError } from '@switchboard/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HealthOptions } from './health-options.ts';
import { ModelHealthService } from './model-health.service.ts';
import { PROBE_RUNNER, PROBE_TARGETS, type ProbeRunner, type ProbeTarget } from './probe-runner.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import {
  createHealthTestApp,
  unreachableDatabase,
  type HealthTestApp,
} from './__fixtures__/health-test-app.ts';

const targets: ProbeTarget[] = [
  { modelId: 'sim/a', provider: 'sim' },
  { modelId: 'sim/b', provider: 'sim' },
  { modelId: 'sim/c', provider: 'sim' },
];

async function schedulerApp(runner: ProbeRunner | undefined, health: Partial<HealthOptions> = {}) {
  return createHealthTestApp(unreachableDatabase(), {
    listen: false,
    health: { probeIntervalMs: 60_000, probeJitterRatio: 0.1, random: () => 0.5, ...health },
    providers: [
      { provide: PROBE_TARGETS, useValue: { listTargets: () => Promise.resolve(targets) } },
      ...(runner === undefined ? [] : [{ provide: PROBE_RUNNER, useValue: runner }]),
    ],
  });
}

describe('ProbeScheduler', () => {
  let app: HealthTestApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    vi.useRealTimers();
  });

  it('skips a model whose circuit is open, then sends the half-open probe that closes it', async () => {
    const calls: string[] = [];
    let bHealthy = false;
    const runner: ProbeRunner = (target) => {
      calls.push(target.modelId);
      if (target.modelId === 'sim/b' && !bHealthy) {
        return Promise.reject(
          new ProviderError({ kind: 'overloaded', message: 'overloaded', retryAfterMs: 30_000 }),
        );
      }
      return Promise.resolve({ ok: true });
    };
    app = await schedulerApp(runner);
    const scheduler = app.app.get(ProbeScheduler);
    const health = app.app.get(ModelHealthService);

    await scheduler.runRound(runner, targets);
    // A Retry-After of 30 s on an overload opens the circuit at once, for those 30 s.
    expect(health.describe('sim/b', 'sim').circuit).toMatchObject({
      status: 'open',
      openReason: 'retry-after',
    });

    calls.length = 0;
    await scheduler.runRound(runner, targets);
    expect(calls).toEqual(['sim/a', 'sim/c']);

    app.clock.advance(30_000);
    bHealthy = true;
    calls.length = 0;
    await scheduler.runRound(runner, targets);
    expect(calls).toContain('sim/b');
    expect(health.describe('sim/b', 'sim')).toMatchObject({
      circuit: { status: 'closed' },
      lastProbe: { outcome: 'success' },
    });
  });

  it('counts a probe that does not answer in time as a timeout, and never runs more at once than allowed', async () => {
    let running = 0;
    let mostAtOnce = 0;
    const runner: ProbeRunner = (target, signal) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      return new Promise((resolve) => {
        const finish = (): void => {
          running -= 1;
          resolve({ ok: true });
        };
        if (target.modelId === 'sim/b') signal.addEventListener('abort', finish, { once: true });
        else setTimeout(finish, 1);
      });
    };
    app = await schedulerApp(runner, { probeTimeoutMs: 20, probeConcurrency: 2 });
    await app.app.get(ProbeScheduler).runRound(runner, targets);
    const health = app.app.get(ModelHealthService);
    expect(health.describe('sim/b', 'sim').lastProbe?.outcome).toBe('timeout');
    expect(health.describe('sim/a', 'sim').lastProbe?.outcome).toBe('success');
    expect(mostAtOnce).toBeLessThanOrEqual(2);
  });

  it('probes on its jittered interval once started, and stops for good on shutdown', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const calls: string[] = [];
    const runner: ProbeRunner = (target) => {
      calls.push(target.modelId);
      return Promise.resolve({ ok: true });
    };
    app = await schedulerApp(runner);
    expect(app.app.get(ProbeScheduler).status().mode).toBe('in-process');

    // First round within one jitter span of the start: 60 s × 0.1 × random 0.5 = 3 s.
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['sim/a', 'sim/b', 'sim/c']);

    // Then every interval (random 0.5 means no jitter either way).
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(6);

    await app.close();
    app = undefined;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(calls).toHaveLength(6);
  });

  it('stays off without a probe runner, leaving passive outcomes to feed health', async () => {
    app = await schedulerApp(undefined);
    expect(app.app.get(ProbeScheduler).status()).toEqual({
      mode: 'off',
      intervalMs: 60_000,
      lastRoundAt: null,
    });
  });
});
