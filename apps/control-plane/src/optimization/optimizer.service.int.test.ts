import 'reflect-metadata';
import { deserializeOptimizerState, observedStats } from '@switchboard/core';
import { createTelemetryEvent, type TelemetryAttempt, type TelemetryEvent } from '@switchboard/sdk';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../config/clock.ts';
import { testDatabaseTargets, type TestDatabase } from '../database/__fixtures__/test-databases.ts';
import { openDatabase, type OpenedDatabase } from '../database/open-database.ts';
import { TrafficOutcomeBus } from '../traffic/traffic-outcome-bus.ts';
import { OptimizerRepository } from './optimizer.repository.ts';
import { OptimizerService } from './optimizer.service.ts';

const now = Date.UTC(2026, 5, 1, 12);
const clock: Clock = { now: () => now };
const model = 'sim/fast-small';

function attempt(ok: boolean): TelemetryAttempt {
  return {
    modelId: model,
    provider: 'sim',
    outcome: ok ? 'succeeded' : 'failed',
    errorKind: ok ? null : 'server',
    status: ok ? null : 500,
    hedge: false,
    startedAfterMs: 0,
    timeToFirstTokenMs: ok ? 100 : null,
    durationMs: 500,
    usage: {
      inputTokens: 20,
      outputTokens: ok ? 40 : null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
    },
    cost: { status: 'known', micros: 0 },
    priceVersion: null,
    billed: ok,
  };
}

function requestEvent(ok: boolean): TelemetryEvent {
  return createTelemetryEvent(
    {
      decisionId: 'decision',
      policyName: 'default',
      snapshotVersion: 1,
      taskType: 'general_chat',
      riskLevel: 'low',
      playerId: null,
      sessionId: null,
      tenantId: null,
      attempts: [attempt(ok)],
      answeredBy: ok ? model : null,
      outcome: ok ? 'answered' : 'failed',
      fallback: false,
      totalLatencyMs: 500,
    },
    { clock, generateId: () => crypto.randomUUID() },
  );
}

interface Instance {
  bus: TrafficOutcomeBus;
  service: OptimizerService;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const target of testDatabaseTargets()) {
  // Opening PGlite (WebAssembly) and migrating takes a while on a busy machine.
  describe.skipIf(!target.available)(
    `OptimizerService saving on ${target.name}`,
    { timeout: 120_000 },
    () => {
      async function database(): Promise<{ opened: OpenedDatabase; disposable: TestDatabase }> {
        const disposable = await target.create();
        cleanups.push(() => disposable.dispose());
        const opened = await openDatabase(disposable.settings);
        cleanups.push(() => opened.database.destroy());
        return { opened, disposable };
      }

      async function instance(opened: OpenedDatabase): Promise<Instance> {
        const bus = new TrafficOutcomeBus();
        const service = new OptimizerService(
          bus,
          new OptimizerRepository(opened.database as Kysely<unknown>),
          clock,
          {
            saveIntervalMs: 3_600_000,
          },
        );
        await service.onModuleInit();
        cleanups.push(() => service.onModuleDestroy());
        return { bus, service };
      }

      const attemptsIn = (state: string | undefined) => {
        const stats = observedStats(deserializeOptimizerState(state), model, 'general_chat', now);
        return {
          attempts: stats?.attempts ?? 0,
          errors: stats?.errors ?? 0,
          failures: stats?.qualityFailures,
        };
      };

      it('merges what two instances learned into one stored state, counting each request once', async () => {
        const { opened } = await database();
        const first = await instance(opened);
        const second = await instance(opened);
        for (let index = 0; index < 10; index += 1)
          first.bus.publish({ source: 'gateway', event: requestEvent(false) });
        for (let index = 0; index < 10; index += 1)
          second.bus.publish({ source: 'sdk', event: requestEvent(true) });
        second.service.recordQuality(model, 'general_chat', { type: 'regenerated' });

        await Promise.all([first.service.save(), second.service.save()]);
        // Saving again, with nothing new, adds nothing.
        await Promise.all([first.service.save(), second.service.save()]);

        const stored = await new OptimizerRepository(opened.database as Kysely<unknown>).load();
        expect(attemptsIn(stored)).toEqual({ attempts: 20, errors: 10, failures: 0.75 });
        // Each instance now publishes the fleet's evidence, not only its own.
        expect(attemptsIn(first.service.published().body)).toEqual({
          attempts: 20,
          errors: 10,
          failures: 0.75,
        });
        expect(attemptsIn(second.service.published().body)).toEqual({
          attempts: 20,
          errors: 10,
          failures: 0.75,
        });
      });

      it('starts a new instance from the stored state', async () => {
        const { opened } = await database();
        const first = await instance(opened);
        for (let index = 0; index < 4; index += 1)
          first.bus.publish({ source: 'gateway', event: requestEvent(false) });
        await first.service.onModuleDestroy();

        const next = await instance(opened);
        expect(attemptsIn(next.service.published().body)).toEqual({ attempts: 4, errors: 4, failures: 0 });
      });
    },
  );
}
