import { describe, expect, it } from 'vitest';
import { createSimulatedAdapter } from '@switchboard/provider-sim';
import { CANONICAL_ANSWER, CONTENT_POLICY_MESSAGE } from '@switchboard/provider-sim/testing';
import { isExecutionError } from './execution-error.ts';
import type { ReselectRequest } from './execute-options.ts';
import {
  attemptsByModel,
  failing,
  fastTiming,
  readAsCaller,
  scripted,
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRun,
  virtualTime,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters, virtualRun } from './__fixtures__/engine-test-kit.ts';

const threeModels = [testModel('a'), testModel('b'), testModel('c')];

describe('what each error kind does', () => {
  it('rate_limited: waits out a Retry-After that fits, retries the same model, then fails over', async () => {
    const run = virtualRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: run.simAdapters({ a: 'rate-limit-retry-after-300', b: 'healthy' }),
    });
    const result = await execution.result;
    const [first, retry, failover] = result.attempts;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome, attempt.trigger])).toEqual([
      ['a', 'rate_limited', 'initial'],
      ['a', 'rate_limited', 'retry'],
      ['b', 'ok', 'failover'],
    ]);
    expect(retry!.startedAt - first!.endedAt).toBe(300);
    expect(failover!.startedAt).toBe(retry!.endedAt);
    expect(result.text).toBe(CANONICAL_ANSWER);
  });

  it('rate_limited: fails over at once when the Retry-After is longer than worth waiting', async () => {
    const run = testRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: simAdapters({ a: 'rate-limit-retry-after-30000', b: 'healthy' }),
    });
    const result = await execution.result;
    expect(attemptsByModel(result.attempts)).toEqual({ a: 1, b: 1 });
  });

  it('server: retries once on the same model after a jittered backoff', async () => {
    const run = virtualRun();
    const execution = run.execute({
      random: () => 0.9,
      retry: { backoffMs: 200 },
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: run.simAdapters({ a: 'server-error-once#jitter', b: 'healthy' }),
    });
    const result = await execution.result;
    const [failed, retried] = result.attempts;
    expect(result.answeredBy).toBe('a');
    expect(failed!.outcome).toBe('server');
    expect(retried).toMatchObject({ modelId: 'a', trigger: 'retry', outcome: 'ok' });
    // backoff × (0.5 + random): 200 × 1.4
    expect(retried!.startedAt - failed!.endedAt).toBe(280);
  });

  it('server: a repeated error fails over instead of retrying again', async () => {
    const run = testRun();
    const execution = run.execute({
      retry: { backoffMs: 10 },
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: new Map([
        ['a', createSimulatedAdapter({ modelId: 'a', ...fastTiming, errorRates: { server: 1 } })],
        ['b', sim('b', 'healthy')],
      ]),
    });
    const result = await execution.result;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['a', 'server'],
      ['a', 'server'],
      ['b', 'ok'],
    ]);
  });

  it('overloaded: fails over without retrying', async () => {
    const run = testRun();
    const result = await run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: simAdapters({ a: 'unavailable', b: 'healthy' }),
    }).result;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['a', 'overloaded'],
      ['b', 'ok'],
    ]);
  });

  it('network: a reset before headers is retried once, then fails over', async () => {
    const run = testRun();
    const result = await run.execute({
      retry: { backoffMs: 10 },
      decision: testDecision(['a', 'b']),
      registry: testRegistry(threeModels),
      adapters: simAdapters({ a: 'reset-before-headers', b: 'healthy' }),
    }).result;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome, attempt.trigger])).toEqual([
      ['a', 'network', 'initial'],
      ['a', 'network', 'retry'],
      ['b', 'ok', 'failover'],
    ]);
  });

  it('context_length: never retries the model; reselects with the real token count and continues', async () => {
    const run = testRun();
    const reselections: ReselectRequest[] = [];
    const registry = testRegistry([
      testModel('small', { contextWindow: 8_192 }),
      testModel('also-small', { contextWindow: 8_192 }),
      testModel('large', { contextWindow: 128_000 }),
    ]);
    const result = await run.execute({
      decision: testDecision(['small', 'also-small']),
      registry,
      reselect: (request) => {
        reselections.push(request);
        return testDecision(['also-small', 'large']);
      },
      adapters: simAdapters({ small: 'context-length', 'also-small': 'healthy', large: 'healthy' }),
    }).result;
    expect(reselections).toHaveLength(1);
    expect(reselections[0]).toMatchObject({ excludeModelIds: ['small'], estimatedInputTokens: 9_120 });
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['small', 'context_length'],
      ['large', 'ok'],
    ]);
    expect(result.skipped).toEqual([{ modelId: 'also-small', reason: 'context-window' }]);
    expect(result.reselections).toHaveLength(1);
  });

  it('context_length without a reselect: skips candidates whose window is not larger', async () => {
    const run = testRun();
    const result = await run.execute({
      decision: testDecision(['small', 'also-small', 'large']),
      registry: testRegistry([
        testModel('small', { contextWindow: 8_192 }),
        testModel('also-small', { contextWindow: 8_192 }),
        testModel('large', { contextWindow: 128_000 }),
      ]),
      adapters: simAdapters({ small: 'context-length', 'also-small': 'healthy', large: 'healthy' }),
    }).result;
    expect(result.answeredBy).toBe('large');
    expect(attemptsByModel(result.attempts)).toEqual({ small: 1, large: 1 });
  });

  it('content_filter: fails over only to models of equal or higher safety tier', async () => {
    const run = testRun();
    const result = await run.execute({
      decision: testDecision(['tier-2', 'tier-1', 'tier-3']),
      registry: testRegistry([
        testModel('tier-2', { safetyTier: 2 }),
        testModel('tier-1', { safetyTier: 1 }),
        testModel('tier-3', { safetyTier: 3 }),
      ]),
      adapters: simAdapters({ 'tier-2': 'content-policy', 'tier-1': 'healthy', 'tier-3': 'healthy' }),
    }).result;
    expect(result.answeredBy).toBe('tier-3');
    expect(result.skipped).toEqual([{ modelId: 'tier-1', reason: 'safety-tier' }]);
    expect(attemptsByModel(result.attempts)).toEqual({ 'tier-2': 1, 'tier-3': 1 });
  });

  it("content_filter: stops with the provider's reason when the policy forbids failover", async () => {
    const run = testRun();
    const view = await readAsCaller(
      run.execute({
        decision: testDecision(['a', 'b']),
        registry: testRegistry(threeModels, { contentFilterFailoverSameTierOrSafer: false }),
        adapters: simAdapters({ a: 'content-policy', b: 'healthy' }),
      }),
    );
    expect(isExecutionError(view.error)).toBe(true);
    if (!isExecutionError(view.error)) return;
    expect(view.error.kind).toBe('content_filter');
    expect(view.error.providerMessage).toBe(CONTENT_POLICY_MESSAGE);
    expect(view.error.message).toContain(CONTENT_POLICY_MESSAGE);
    expect(view.error.attempts).toHaveLength(1);
  });

  it('content_filter: keeps the refusal as what the caller is told when no safe model is left', async () => {
    const run = testRun();
    const error = await run
      .execute({
        decision: testDecision(['tier-3', 'tier-3-down']),
        registry: testRegistry([testModel('tier-3'), testModel('tier-3-down')]),
        adapters: simAdapters({ 'tier-3': 'content-policy', 'tier-3-down': 'unavailable' }),
      })
      .result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('content_filter');
    expect(isExecutionError(error) && error.providerMessage).toBe(CONTENT_POLICY_MESSAGE);
  });

  it("auth: skips the refused provider's other models and fails over to another provider", async () => {
    const run = testRun();
    const result = await run.execute({
      decision: testDecision(['p1-a', 'p1-b', 'p2-a']),
      registry: testRegistry([
        testModel('p1-a', { provider: 'p1' }),
        testModel('p1-b', { provider: 'p1' }),
        testModel('p2-a', { provider: 'p2' }),
      ]),
      adapters: new Map([
        ['p1-a', sim('p1-a', 'auth-error', { provider: 'p1' })],
        ['p1-b', sim('p1-b', 'healthy', { provider: 'p1' })],
        ['p2-a', sim('p2-a', 'healthy', { provider: 'p2' })],
      ]),
    }).result;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['p1-a', 'auth'],
      ['p2-a', 'ok'],
    ]);
    expect(result.skipped).toEqual([{ modelId: 'p1-b', reason: 'provider-auth' }]);
  });

  it('bad_request: stops, since another model would refuse the same request', async () => {
    const run = testRun();
    const error = await run
      .execute({
        decision: testDecision(['a', 'b']),
        registry: testRegistry(threeModels),
        adapters: new Map([
          ['a', failing('a', 'bad_request')],
          ['b', sim('b', 'healthy')],
        ]),
      })
      .result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('bad_request');
    expect(isExecutionError(error) && error.attempts.map((attempt) => attempt.modelId)).toEqual(['a']);
  });

  it('bounds the attempts of one execution', async () => {
    const run = testRun();
    const error = await run
      .execute({
        maxAttempts: 2,
        decision: testDecision(['a', 'b', 'c']),
        registry: testRegistry(threeModels),
        adapters: simAdapters({ a: 'unavailable', b: 'unavailable', c: 'healthy' }),
      })
      .result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('overloaded');
    expect(isExecutionError(error) && error.attempts).toHaveLength(2);
  });

  it('never sends a model more than two attempts within 1.5 s', async () => {
    const { clock, virtual } = virtualTime();
    const run = testRun();
    // b is told to continue a cut answer: it refuses the prefill, then fails once without it, then answers.
    const b = scripted([
      sim('b', 'rejects-prefill', { clock: virtual }),
      sim('b', 'server-error-once#spacing', { clock: virtual }),
      sim('b', 'healthy', { clock: virtual }),
    ]);
    const execution = run.execute({
      clock,
      retry: { backoffMs: 20 },
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: new Map([
        ['a', sim('a', 'cut-after-20', { clock: virtual })],
        ['b', b],
      ]),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    const onB = result.attempts.filter((attempt) => attempt.modelId === 'b');
    expect(onB.map((attempt) => [attempt.trigger, attempt.outcome])).toEqual([
      ['handoff', 'prefill_unsupported'],
      ['prefill-fallback', 'server'],
      ['retry', 'ok'],
    ]);
    expect(onB[2]!.startedAt - onB[0]!.startedAt).toBeGreaterThanOrEqual(1_500);
    expect(view.text).toBe(CANONICAL_ANSWER);
  });
});
