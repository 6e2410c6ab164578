import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER } from '@switchboard/provider-sim/testing';
import type { ModelSpecInput } from '@switchboard/core';
import type { AttemptAdmissionHook, AttemptAdmissionRequest, AttemptCharge } from './attempt-admission.ts';
import { isExecutionError, type ExecutionError } from './execution-error.ts';
import { createInMemoryBudgetGuard } from './in-memory-budget-guard.ts';
import { testDecision, testModel, testRegistry, testRun } from './__fixtures__/engine-fixtures.ts';
import { simAdapters, virtualRun } from './__fixtures__/engine-test-kit.ts';

/** A model priced `factor` times the test price, so worst cases differ between candidates. */
function pricedModel(id: string, factor: number): ModelSpecInput {
  return {
    ...testModel(id),
    price: {
      inputPerMillionMicros: 1_000_000 * factor,
      outputPerMillionMicros: 2_000_000 * factor,
      version: 'test-prices-1',
    },
  };
}

const models = [pricedModel('a', 4), pricedModel('b', 2), pricedModel('c', 1)];

/** A guard that records every question and settlement, and admits what `admits` says. */
function recordingGuard(admits: (request: AttemptAdmissionRequest) => boolean = () => true): {
  hook: AttemptAdmissionHook;
  asked: AttemptAdmissionRequest[];
  settled: { request: AttemptAdmissionRequest; charge: AttemptCharge }[];
} {
  const asked: AttemptAdmissionRequest[] = [];
  const settled: { request: AttemptAdmissionRequest; charge: AttemptCharge }[] = [];
  const hook: AttemptAdmissionHook = (request) => {
    asked.push(request);
    if (!admits(request)) {
      return Promise.resolve({
        admitted: false,
        reason: `Budget "player-day" refused ${request.modelId}; it resets at 2026-11-28T00:00:00.000Z.`,
        budgetId: 'player-day',
        resetsAt: Date.UTC(2026, 10, 28),
      });
    }
    return Promise.resolve({
      admitted: true,
      settle: (charge) => {
        settled.push({ request, charge });
        return Promise.resolve();
      },
    });
  };
  return { hook, asked, settled };
}

async function failureOf(promise: Promise<unknown>): Promise<ExecutionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isExecutionError(error)) throw new Error(`expected an ExecutionError, got ${String(error)}`);
  return error;
}

describe('budget admission', () => {
  it('asks before every attempt (first, retry, failover) with its worst case, and settles each with its cost', async () => {
    const run = virtualRun();
    const guard = recordingGuard();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: run.simAdapters({ a: 'rate-limit-retry-after-300', b: 'healthy' }),
      admitAttempt: guard.hook,
      executionId: 'execution-1',
    });
    const result = await execution.result;
    expect(result.text).toBe(CANONICAL_ANSWER);
    expect(guard.asked.map((request) => [request.modelId, request.trigger, request.attemptIndex])).toEqual(
      result.attempts.map((attempt) => [attempt.modelId, attempt.trigger, attempt.index]),
    );
    expect(guard.asked.map((request) => request.trigger)).toEqual(['initial', 'retry', 'failover']);
    expect(guard.asked.every((request) => request.executionId === 'execution-1')).toBe(true);
    const [firstAsked, , lastAsked] = guard.asked;
    // The same prompt costs twice as much on a, which is priced twice as high as b.
    expect(firstAsked!.worstCaseMicros).toBeGreaterThan(0);
    expect(firstAsked!.worstCaseMicros).toBeCloseTo(2 * lastAsked!.worstCaseMicros!, -1);

    expect(guard.settled).toHaveLength(result.attempts.length);
    const winner = result.attempts.at(-1)!;
    expect(winner.cost?.status).toBe('known');
    expect(guard.settled.at(-1)!.charge).toMatchObject({
      billed: true,
      actualMicros: winner.cost?.status === 'known' ? winner.cost.micros : -1,
    });
    expect(guard.settled.at(-1)!.charge.actualMicros).toBeLessThanOrEqual(lastAsked!.worstCaseMicros!);
    for (const failed of guard.settled.slice(0, -1)) expect(failed.charge.billed).toBe(false);
  });

  it('skips a refused candidate like an ineligible one and lets the next, cheaper one answer', async () => {
    const run = testRun();
    const guard = recordingGuard((request) => request.modelId !== 'a');
    const execution = run.execute({
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'healthy', b: 'healthy', c: 'healthy' }),
      admitAttempt: guard.hook,
    });
    const result = await execution.result;
    expect(result.answeredBy).toBe('b');
    expect(result.skipped).toEqual([{ modelId: 'a', reason: 'budget' }]);
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.trigger])).toEqual([['b', 'initial']]);
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'candidate-skip', reason: 'budget' }));
  });

  it('fails with budget_exceeded, naming the budget and its reset, when nothing fits', async () => {
    const run = testRun();
    const guard = recordingGuard(() => false);
    const execution = run.execute({
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'healthy', b: 'healthy', c: 'healthy' }),
      admitAttempt: guard.hook,
    });
    const error = await failureOf(execution.result);
    expect(error.kind).toBe('budget_exceeded');
    expect(error.message).toContain('player-day');
    expect(error.message).toContain('2026-11-28T00:00:00.000Z');
    expect(error.budgetRefusal).toMatchObject({ budgetId: 'player-day', resetsAt: Date.UTC(2026, 10, 28) });
    expect(error.attempts).toEqual([]);
    expect(error.skipped.map((skip) => skip.reason)).toEqual(['budget', 'budget', 'budget']);
  });

  it('keeps the provider error as the headline when the budget refused only the fallbacks', async () => {
    const run = virtualRun();
    const guard = recordingGuard((request) => request.modelId === 'a');
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: run.simAdapters({ a: 'unavailable', b: 'healthy' }),
      admitAttempt: guard.hook,
    });
    const error = await failureOf(execution.result);
    expect(error.kind).toBe('overloaded');
    expect(error.message).toContain('A budget refused the other candidates');
    expect(error.skipped).toContainEqual({ modelId: 'b', reason: 'budget' });
  });

  it('asks again for a hedge, and does not start a hedge the budget refuses', async () => {
    const hedging = { timeouts: { hedgeMs: 40, firstTokenMs: 1_000 } };
    const admitted = virtualRun();
    const admitAll = recordingGuard();
    const hedged = await admitted.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, hedging),
      adapters: admitted.simAdapters({ a: 'slow-first-token-500', b: 'healthy' }),
      admitAttempt: admitAll.hook,
    }).result;
    expect(admitAll.asked.map((request) => request.trigger)).toEqual(['initial', 'hedge']);
    expect(hedged.answeredBy).toBe('b');
    // The loser was started and aborted on purpose: it is billed (at an unknown price, so its reservation).
    const loser = admitAll.settled.find((entry) => entry.request.modelId === 'a');
    expect(loser?.charge).toMatchObject({ billed: true, actualMicros: undefined });

    const refused = virtualRun();
    const refuseHedge = recordingGuard((request) => request.trigger !== 'hedge');
    const alone = await refused.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, hedging),
      adapters: refused.simAdapters({ a: 'slow-first-token-500', b: 'healthy' }),
      admitAttempt: refuseHedge.hook,
    }).result;
    expect(alone.answeredBy).toBe('a');
    expect(alone.attempts.map((attempt) => attempt.trigger)).toEqual(['initial']);
    expect(alone.skipped).toEqual([]);
  });

  it('settles a cancelled attempt unbilled, so its reservation is released', async () => {
    const run = testRun();
    const guard = recordingGuard();
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const execution = run.execute({
      decision: testDecision(['a']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'never-answers' }),
      admitAttempt: guard.hook,
      onEvent: (event) => {
        if (event.type === 'attempt-start') markStarted();
      },
    });
    await started;
    execution.abort();
    const error = await failureOf(execution.result);
    expect(error.kind).toBe('aborted');
    expect(guard.settled.map((entry) => entry.charge.billed)).toEqual([false]);
  });

  it('refuses when the guard throws, so a broken budget store never lets calls through unnoticed', async () => {
    const run = testRun();
    const execution = run.execute({
      decision: testDecision(['a']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'healthy' }),
      admitAttempt: () => Promise.reject(new Error('store unreachable')),
    });
    const error = await failureOf(execution.result);
    expect(error.kind).toBe('budget_exceeded');
    expect(error.message).toContain('store unreachable');
  });
});

describe('createInMemoryBudgetGuard', () => {
  it('spends up to a hard limit across executions and then refuses, never past the limit', async () => {
    const run = testRun();
    const registry = testRegistry([pricedModel('c', 1)]);
    const guard = createInMemoryBudgetGuard({ name: 'game-day', limitMicros: 3_000, period: 'day' });
    let answered = 0;
    let refusal: ExecutionError | undefined;
    for (let index = 0; index < 500 && refusal === undefined; index += 1) {
      const execution = run.execute({
        decision: testDecision(['c']),
        registry,
        adapters: simAdapters({ c: 'healthy' }),
        admitAttempt: guard.admitAttempt,
      });
      try {
        const result = await execution.result;
        expect(result.cost.complete).toBe(true);
        answered += 1;
      } catch (error) {
        if (!isExecutionError(error)) throw error;
        refusal = error;
      }
    }
    const state = guard.state();
    expect(answered).toBeGreaterThan(0);
    expect(refusal?.kind).toBe('budget_exceeded');
    expect(refusal?.message).toContain('"game-day" (day)');
    expect(refusal?.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00.000Z/);
    expect(state.reservedMicros).toBe(0);
    expect(state.spentMicros).toBeLessThanOrEqual(3_000);
    expect(state.spentMicros).toBeGreaterThan(0);
  });

  it('lets a soft budget overrun and reports it once', async () => {
    const run = testRun();
    const overruns: number[] = [];
    const guard = createInMemoryBudgetGuard({
      limitMicros: 100,
      mode: 'soft',
      onOverLimit: (state) => overruns.push(state.spentMicros + state.reservedMicros),
    });
    for (let index = 0; index < 3; index += 1) {
      const result = await run.execute({
        decision: testDecision(['c']),
        registry: testRegistry([pricedModel('c', 1)]),
        adapters: simAdapters({ c: 'healthy' }),
        admitAttempt: guard.admitAttempt,
      }).result;
      expect(result.text).toBe(CANONICAL_ANSWER);
    }
    expect(overruns).toHaveLength(1);
    expect(guard.state().spentMicros).toBeGreaterThan(100);
  });
});
