import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER } from '@switchboard/provider-sim/testing';
import { isExecutionError } from './execution-error.ts';
import {
  attemptsByModel,
  readAsCaller,
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRun,
  testTimeouts,
  virtualTime,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters, virtualRun } from './__fixtures__/engine-test-kit.ts';

const models = [testModel('a'), testModel('b'), testModel('c')];

describe('per-attempt deadlines', () => {
  it('costs at most one first-token deadline for a model that never answers, then fails over', async () => {
    const run = testRun();
    const started = Date.now();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'never-answers', b: 'healthy' }),
    });
    const view = await readAsCaller(execution);
    const firstTextAt = (await execution.result).attempts[1]?.firstTokenAt ?? Number.NaN;

    expect(view.text).toBe(CANONICAL_ANSWER);
    const [silent, answer] = (await execution.result).attempts;
    expect(silent).toMatchObject({
      modelId: 'a',
      outcome: 'timeout',
      deadline: 'first-token',
      billed: false,
    });
    expect(answer).toMatchObject({ modelId: 'b', outcome: 'ok', trigger: 'failover' });
    expect(firstTextAt - started).toBeLessThan(testTimeouts.firstTokenMs + 400);
    expect(silent!.endedAt - silent!.startedAt).toBeGreaterThanOrEqual(testTimeouts.firstTokenMs - 5);
  });

  it('never retries a silent route on the same model', async () => {
    const run = testRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'never-answers', b: 'slow-first-token-2000', c: 'healthy' }),
    });
    const result = await execution.result;
    expect(attemptsByModel(result.attempts)).toEqual({ a: 1, b: 1, c: 1 });
    expect(result.answeredBy).toBe('c');
  });

  it('ends an attempt whose response never opens at the headers deadline', async () => {
    const run = virtualRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models, { timeouts: { headersMs: 80, firstTokenMs: 150 } }),
      adapters: run.simAdapters({ a: 'never-answers', b: 'healthy' }),
    });
    const result = await execution.result;
    const silent = result.attempts[0]!;
    expect(silent).toMatchObject({ outcome: 'timeout', deadline: 'headers', headersAt: undefined });
    expect(silent.endedAt - silent.startedAt).toBe(80);
    expect(result.answeredBy).toBe('b');
  });

  it('treats a stream that goes quiet mid-answer as stalled after the idle deadline and continues elsewhere', async () => {
    const run = virtualRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: run.simAdapters({ a: 'stall-after-10', b: 'healthy' }),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    const stalled = result.attempts[0]!;
    expect(view.text).toBe(CANONICAL_ANSWER);
    expect(stalled).toMatchObject({ outcome: 'stream_stall', deadline: 'idle' });
    expect(result.contributors).toEqual(['a', 'b']);
  });

  it('uses the observed p95 time to first token × factor as the deadline, clamped to the policy', async () => {
    const { clock, virtual } = virtualTime();
    const run = testRun();
    const execution = run.execute({
      clock,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      stats: {
        statsOf: () => ({
          qualityMean: 0.7,
          qualityObservations: 10,
          timeToFirstTokenP50Ms: 10,
          timeToFirstTokenP95Ms: 20,
          outputTokensPerSecond: 100,
          errorRate: 0,
        }),
      },
      adaptiveFirstToken: { factor: 3, minimumMs: 10 },
      adapters: simAdapters({ a: 'slow-first-token-120', b: 'healthy' }, { clock: virtual }),
    });
    const result = await execution.result;
    const slow = result.attempts[0]!;
    expect(slow).toMatchObject({ outcome: 'timeout', deadline: 'first-token' });
    expect(slow.endedAt - slow.startedAt).toBe(60);

    const clamped = testRun().execute({
      clock,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      stats: {
        statsOf: () => ({
          qualityMean: 0.7,
          qualityObservations: 10,
          timeToFirstTokenP50Ms: 500,
          timeToFirstTokenP95Ms: 4_000,
          outputTokensPerSecond: 100,
          errorRate: 0,
        }),
      },
      adapters: simAdapters({ a: 'never-answers', b: 'healthy' }, { clock: virtual }),
    });
    const clampedAttempt = (await clamped.result).attempts[0]!;
    expect(clampedAttempt.endedAt - clampedAttempt.startedAt).toBe(testTimeouts.firstTokenMs);
  });

  it('never lets the whole execution run past the caller deadline', async () => {
    const run = testRun();
    const started = Date.now();
    const execution = run.execute({
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry(models, { timeouts: { firstTokenMs: 150 } }),
      deadlineMs: 250,
      adapters: simAdapters({ a: 'never-answers', b: 'never-answers', c: 'never-answers' }),
    });
    const error = await execution.result.catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(isExecutionError(error)).toBe(true);
    if (!isExecutionError(error)) return;
    expect(error.kind).toBe('timeout');
    expect(error.attempts.map((attempt) => attempt.deadline)).toEqual(['first-token', 'total']);
    expect(elapsed).toBeLessThan(250 + 400);
  });

  it("aborts the attempt through the adapter's signal when a deadline passes", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const silent = sim('a', 'never-answers');
    const spy = {
      ...silent,
      doStream: (request: Parameters<typeof silent.doStream>[0]) => {
        signals.push(request.abortSignal);
        return silent.doStream(request);
      },
    };
    await testRun().execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: new Map([
        ['a', spy],
        ['b', sim('b', 'healthy')],
      ]),
    }).result;
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
  });

  it('cancels the execution when a streaming caller stops reading', async () => {
    const execution = testRun().execute({
      decision: testDecision(['a']),
      registry: testRegistry(models),
      adapters: new Map([['a', sim('a', 'healthy', { outputTokensPerSecond: 200 })]]),
    });
    let received = '';
    for await (const part of execution) {
      if (part.type === 'text-delta') received += part.delta;
      if (received.length > 10) break;
    }
    const error = await execution.result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('aborted');
    expect(isExecutionError(error) && error.attempts[0]?.outcome).toBe('aborted');
  });

  it('aborts the running attempt through its signal when the caller cancels', async () => {
    const controller = new AbortController();
    const run = testRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      signal: controller.signal,
      adapters: simAdapters({ a: 'slow-first-token-1000', b: 'healthy' }),
    });
    setTimeout(() => controller.abort(), 20);
    const error = await execution.result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('aborted');
    if (!isExecutionError(error)) return;
    expect(error.attempts).toHaveLength(1);
    expect(error.attempts[0]!.outcome).toBe('aborted');
  });
});
