import 'reflect-metadata';
import { parseTherapeuticContext, type TherapeuticContext } from '@switchboard/core';
import type { AttemptAdmission, AttemptAdmissionRequest, AttemptAdmitted } from '@switchboard/sdk';
import { describe, expect, it } from 'vitest';
import type { ControlPlaneConfig } from '../../config/control-plane-config.ts';
import type { RedisConnection } from '../../redis/redis-connection.ts';
import { BudgetCountersRepository } from './budget-counters.repository.ts';
import type { BudgetDefinition } from './budget-definition.ts';
import type { BudgetDefinitionRepository } from './budget-definition.repository.ts';
import type { BudgetLedgerRepository } from './budget-ledger.repository.ts';
import { billedAttempt, telemetryEvent } from '../__fixtures__/telemetry-events.ts';
import { TrafficOutcomeBus } from '../../traffic/traffic-outcome-bus.ts';
import { BudgetRefusal, BudgetService } from './budget.service.ts';
import { ReportedSpendingSettler } from './reported-spending.ts';

const noon = Date.UTC(2026, 10, 27, 12);

function definition(overrides: Partial<BudgetDefinition> & Pick<BudgetDefinition, 'id'>): BudgetDefinition {
  return {
    scope: 'global',
    scopeId: null,
    period: 'day',
    limitMicros: 1_000_000,
    mode: 'hard',
    alertThreshold: 0.8,
    createdAt: new Date(noon).toISOString(),
    updatedAt: new Date(noon).toISOString(),
    ...overrides,
  };
}

/** The service on in-process counters (no Redis), a fixed list of budgets and a ledger that says `ledgerSpent`. */
function setUp(definitions: BudgetDefinition[], ledgerSpent = 0, ledgerReceivedAt = noon) {
  const clock = { time: noon, now: () => clock.time };
  const repository = {
    list: () => Promise.resolve(definitions),
    find: (id: string) => Promise.resolve(definitions.find((entry) => entry.id === id)),
  } as unknown as BudgetDefinitionRepository;
  const ledger = {
    // The seed stands for the moment it is taken, as the ledger's own clock would stamp it.
    spentSince: () => Promise.resolve({ spentMicros: ledgerSpent, seededAt: clock.time }),
    // Every attempt asked about arrived in the ledger at `ledgerReceivedAt`, all of its attempts at once.
    receivedAtOfEvents: (eventIds: string[]) =>
      Promise.resolve(
        new Map(
          eventIds.flatMap((id) => [0, 1, 2].map((index) => [`${id}:${index}`, ledgerReceivedAt] as const)),
        ),
      ),
  } as unknown as BudgetLedgerRepository;
  const connection = { client: undefined, keys: undefined, ready: false, onReady: () => undefined };
  const counters = new BudgetCountersRepository(connection as unknown as RedisConnection, ledger, clock, {
    budgetRedisFailure: 'open',
  } as ControlPlaneConfig);
  const sut = new BudgetService(repository, counters, clock);
  const bus = new TrafficOutcomeBus();
  const reported = new ReportedSpendingSettler(sut, counters, ledger, clock, bus);
  reported.onModuleInit();
  return { sut, clock, bus, reported };
}

function context(fields: Partial<TherapeuticContext> = {}): TherapeuticContext {
  return parseTherapeuticContext({ taskType: 'narrative_generation', ...fields });
}

function attempt(worstCaseMicros: number | undefined, attemptIndex = 0): AttemptAdmissionRequest {
  return {
    executionId: 'decision-1',
    attemptIndex,
    modelId: 'model-a',
    provider: 'sim',
    trigger: 'initial',
    worstCaseMicros,
  };
}

function admitted(admission: AttemptAdmission): AttemptAdmitted {
  if (!admission.admitted) throw new Error(`expected an admission, got: ${admission.reason}`);
  return admission;
}

describe('BudgetService', () => {
  it('applies only the budgets whose scope matches the request', async () => {
    const { sut } = setUp([
      definition({ id: 'global', limitMicros: 900_000 }),
      definition({ id: 'tenant-eu', scope: 'tenant', scopeId: 'studio-eu', limitMicros: 500_000 }),
      definition({ id: 'tenant-us', scope: 'tenant', scopeId: 'studio-us', limitMicros: 10 }),
      definition({ id: 'player-7', scope: 'player', scopeId: 'player-7', limitMicros: 300_000 }),
    ]);
    const plan = await sut.plan(context({ tenantId: 'studio-eu', playerId: 'player-7' }), 'request-1');
    expect(plan.selection).toEqual({ remainingMicros: 300_000, preferCheaper: false });
    const unscoped = await sut.plan(context(), 'request-2');
    expect(unscoped.selection).toEqual({ remainingMicros: 900_000, preferCheaper: false });
  });

  it('runs unbudgeted when no budget applies', async () => {
    const { sut } = setUp([definition({ id: 'player-7', scope: 'player', scopeId: 'player-7' })]);
    expect(await sut.plan(context({ playerId: 'player-8' }), 'request-1')).toEqual({
      selection: undefined,
      admitAttempt: undefined,
    });
  });

  it('reserves the worst case, settles the actual, and releases an unbilled attempt', async () => {
    const { sut } = setUp([definition({ id: 'global', limitMicros: 10_000 })]);
    const plan = await sut.plan(context(), 'request-1');
    const first = admitted(await plan.admitAttempt!(attempt(6_000, 0)));
    const refused = await plan.admitAttempt!(attempt(6_000, 1));
    expect(refused).toMatchObject({ admitted: false, budgetId: 'global', resetsAt: Date.UTC(2026, 10, 28) });
    expect(refused.admitted === false && refused.reason).toContain(
      'Budget "global" (global, day, hard) has $0.004000 left of $0.010000, and model-a may cost up to $0.006000. ' +
        'It resets at 2026-11-28T00:00:00.000Z.',
    );
    await first.settle({ billed: true, actualMicros: 1_500, cost: undefined });
    const [status] = await sut.list();
    expect(status).toMatchObject({ spentMicros: 1_500, reservedMicros: 0, remainingMicros: 8_500 });

    const second = admitted(await plan.admitAttempt!(attempt(6_000, 2)));
    await second.settle({ billed: false, actualMicros: undefined, cost: undefined });
    const third = admitted(await plan.admitAttempt!(attempt(2_000, 3)));
    // Billed at an unknown price: the reservation is charged, never nothing.
    await third.settle({ billed: true, actualMicros: undefined, cost: undefined });
    expect((await sut.list())[0]).toMatchObject({ spentMicros: 3_500, reservedMicros: 0 });
  });

  it('seeds a new counter from the ledger, so spending before a restart still counts', async () => {
    const { sut } = setUp([definition({ id: 'global', limitMicros: 10_000 })], 9_990);
    const plan = await sut.plan(context(), 'request-1');
    expect(plan.selection?.remainingMicros).toBe(10);
    expect(await plan.admitAttempt!(attempt(11))).toMatchObject({ admitted: false });
  });

  it('refuses before selection when a hard budget has nothing left, with a Retry-After until its reset', async () => {
    const { sut } = setUp([definition({ id: 'spent-out', limitMicros: 5_000 })], 5_000);
    const refusal = await sut.plan(context(), 'request-1').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(BudgetRefusal);
    expect(refusal).toMatchObject({ kind: 'exceeded', retryAfterSeconds: 12 * 60 * 60 });
    expect((refusal as Error).message).toContain('Budget "spent-out"');
  });

  it('asks for cheaper models once a soft budget passes its alert threshold, and never refuses', async () => {
    const { sut } = setUp([
      definition({ id: 'soft', mode: 'soft', limitMicros: 10_000, alertThreshold: 0.5 }),
    ]);
    const plan = await sut.plan(context(), 'request-1');
    expect(plan.selection).toEqual({ remainingMicros: undefined, preferCheaper: false });
    admitted(await plan.admitAttempt!(attempt(6_000, 0)));
    admitted(await plan.admitAttempt!(attempt(6_000, 1)));
    const later = await sut.plan(context(), 'request-2');
    expect(later.selection).toEqual({ remainingMicros: undefined, preferCheaper: true });
  });

  it('refuses an unpriced model under a hard budget: nothing bounds its cost', async () => {
    const { sut } = setUp([definition({ id: 'global' })]);
    const plan = await sut.plan(context(), 'request-1');
    const refusal = await plan.admitAttempt!(attempt(undefined));
    expect(refusal.admitted === false && refusal.reason).toContain('has no price');
  });

  it('starts a fresh counter when the period turns', async () => {
    const { sut, clock } = setUp([definition({ id: 'daily', limitMicros: 10_000 })]);
    const plan = await sut.plan(context(), 'request-1');
    await admitted(await plan.admitAttempt!(attempt(8_000))).settle({
      billed: true,
      actualMicros: 8_000,
      cost: undefined,
    });
    expect((await sut.list())[0]).toMatchObject({ remainingMicros: 2_000 });
    clock.time = Date.UTC(2026, 10, 28, 0, 0, 1);
    expect((await sut.list())[0]).toMatchObject({
      spentMicros: 0,
      remainingMicros: 10_000,
      periodStart: '2026-11-28T00:00:00.000Z',
      resetsAt: '2026-11-29T00:00:00.000Z',
    });
  });

  it('settles SDK-reported spending into every budget of its scope, in the period it occurred, once', async () => {
    const { sut, clock, bus, reported } = setUp(
      [definition({ id: 'global' }), definition({ id: 'p1-day', scope: 'player', scopeId: 'p1' })],
      0,
      noon + 10,
    );
    await sut.list(); // Both counters are seeded (with nothing) at noon, before the ledger received anything.
    clock.time = noon + 20;
    const spent = (micros: number) => [billedAttempt({ cost: { status: 'known', micros } })];
    const mine = telemetryEvent({
      playerId: 'p1',
      occurredAt: new Date(noon + 5).toISOString(),
      attempts: spent(70),
    });
    bus.publish({ source: 'sdk', event: mine });
    bus.publish({ source: 'sdk', event: telemetryEvent({ playerId: 'p2', attempts: spent(30) }) });
    // The gateway's own traffic was reserved and settled by its admission hook: not counted again.
    bus.publish({ source: 'gateway', event: telemetryEvent({ playerId: 'p1', attempts: spent(1_000) }) });
    // Spending of yesterday belongs to yesterday's counter, which the seed of today never holds.
    const yesterday = new Date(noon - 24 * 60 * 60 * 1_000).toISOString();
    bus.publish({
      source: 'sdk',
      event: telemetryEvent({ playerId: 'p1', occurredAt: yesterday, attempts: spent(500) }),
    });
    await reported.settled();
    expect((await sut.list()).map((status) => [status.id, status.spentMicros])).toEqual([
      ['global', 100],
      ['p1-day', 70],
    ]);
    bus.publish({ source: 'sdk', event: mine });
    await reported.settled();
    expect((await sut.get('p1-day')).spentMicros).toBe(70);
  });

  it('leaves reported spending out of a counter rebuilt after the ledger received it', async () => {
    const { sut, clock, bus, reported } = setUp([definition({ id: 'global' })], 70, noon - 10);
    expect((await sut.get('global')).spentMicros).toBe(70); // The seed at noon holds the attempt.
    clock.time = noon + 20;
    bus.publish({
      source: 'sdk',
      event: telemetryEvent({ attempts: [billedAttempt({ cost: { status: 'known', micros: 70 } })] }),
    });
    await reported.settled();
    expect((await sut.get('global')).spentMicros).toBe(70);
  });
});
