import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER } from '@switchboard/provider-sim/testing';
import type { EngineEvent } from './engine-event.ts';
import {
  readAsCaller,
  testDecision,
  testModel,
  testRegistry,
  testRun,
  virtualTime,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters, virtualRun } from './__fixtures__/engine-test-kit.ts';

const models = [testModel('a'), testModel('b'), testModel('c')];
const hedging = { timeouts: { hedgeMs: 40, firstTokenMs: 1_000 } };

describe('hedging', () => {
  it('starts the next candidate when the first has no token by hedgeMs; the first to produce content wins', async () => {
    const run = virtualRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, hedging),
      adapters: run.simAdapters({ a: 'slow-first-token-500', b: 'healthy' }),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    const [primary, hedge] = result.attempts;

    expect(view.text).toBe(CANONICAL_ANSWER);
    expect(result.answeredBy).toBe('b');
    expect(result.contributors).toEqual(['b']);
    expect(hedge).toMatchObject({ modelId: 'b', trigger: 'hedge', outcome: 'ok', billed: true });
    expect(hedge!.startedAt - primary!.startedAt).toBe(40);
    expect(primary).toMatchObject({ modelId: 'a', outcome: 'hedge-lost', billed: true });
    expect(primary!.endedAt).toBe(hedge!.firstTokenAt);
    expect(primary!.cost).toEqual({ status: 'unknown', reason: 'no-usage', priceVersion: 'test-prices-1' });
    expect(hedge!.cost?.status).toBe('known');
    expect(result.cost.complete).toBe(false);

    const hedgeStart = run.events.find((event) => event.type === 'hedge-start');
    expect(hedgeStart).toMatchObject({ primaryModelId: 'a', hedgeModelId: 'b', waitedMs: 40 });
  });

  it('keeps the primary when it produces content before the hedge, and aborts the hedge', async () => {
    const run = virtualRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, hedging),
      adapters: run.simAdapters({ a: 'slow-first-token-60', b: 'slow-first-token-300' }),
    });
    const result = await execution.result;
    expect(result.answeredBy).toBe('a');
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['a', 'ok'],
      ['b', 'hedge-lost'],
    ]);
    expect(result.text).toBe(CANONICAL_ANSWER);
  });

  it('lets the hedge carry on alone when the primary fails before any content', async () => {
    const { clock, virtual } = virtualTime();
    const run = testRun();
    const result = await run.execute({
      clock,
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry(models, { timeouts: { hedgeMs: 40, firstTokenMs: 100 } }),
      adapters: simAdapters(
        { a: 'never-answers', b: 'slow-first-token-90', c: 'healthy' },
        { clock: virtual },
      ),
    }).result;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome, attempt.trigger])).toEqual([
      ['a', 'timeout', 'initial'],
      ['b', 'ok', 'hedge'],
    ]);
  });

  it('never hedges when the policy sets no hedgeMs', async () => {
    const run = testRun();
    const result = await run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, { timeouts: { firstTokenMs: 1_000 } }),
      adapters: simAdapters({ a: 'slow-first-token-100', b: 'healthy' }),
    }).result;
    expect(result.attempts.map((attempt) => attempt.modelId)).toEqual(['a']);
    expect(run.events.some((event: EngineEvent) => event.type === 'hedge-start')).toBe(false);
  });
});
