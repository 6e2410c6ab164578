import { describe, expect, it } from 'vitest';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { createOptimizerState } from './optimizer-state.ts';
import { observedStats, statsView } from './optimizer-stats-view.ts';
import { recordOutcome, type AttemptOutcome } from './record-outcome.ts';

const snapshot = testSnapshot({ models: [testModel('model')] });
const minute = 60_000;
const task = 'dialogue_generation';
const answered = (now: number, timeToFirstTokenMs = 400): AttemptOutcome => ({
  modelId: 'model',
  taskType: task,
  now,
  ok: true,
  timeToFirstTokenMs,
  totalMs: timeToFirstTokenMs + 2_000,
  outputTokens: 200,
});
const failed = (now: number): AttemptOutcome => ({
  modelId: 'model',
  taskType: task,
  now,
  ok: false,
  errorKind: 'server',
});

describe('recordOutcome: discounting', () => {
  it('re-learns a model whose error rate rises within about 1.3 half-lives of its traffic', () => {
    // An hour of clean attempts, then half of them fail: how many attempts until the rate reads 30 %?
    const attemptsUntilNoticed = (gapMs: number) => {
      const state = createOptimizerState();
      let now = 0;
      for (let attempt = 0; attempt < 3_600_000 / gapMs; attempt++)
        recordOutcome(state, answered((now += gapMs)));
      const errorRate = () => statsView(state, snapshot, now).statsOf('model', task).errorRate;
      expect(errorRate()).toBe(0);
      let attempts = 0;
      while (errorRate() < 0.3 && attempts < 10_000) {
        recordOutcome(state, attempts % 2 === 0 ? failed((now += gapMs)) : answered((now += gapMs)));
        attempts++;
      }
      return attempts;
    };
    // Half-life 5 minutes: 30 % of a 50 % rate is reached after 1.32 half-lives, about 400 s.
    expect(attemptsUntilNoticed(1_000)).toBeLessThanOrEqual(420);
    expect(attemptsUntilNoticed(10_000)).toBeLessThanOrEqual(50);
  });

  it('re-learns a model that slows down: its median time to first token follows within 5 minutes of traffic', () => {
    const state = createOptimizerState();
    let now = 0;
    for (let attempt = 0; attempt < 1_800; attempt++) recordOutcome(state, answered((now += 1_000), 400));
    expect(statsView(state, snapshot, now).statsOf('model', task).timeToFirstTokenP50Ms).toBeCloseTo(400, -1);
    for (let attempt = 0; attempt < 300; attempt++) recordOutcome(state, answered((now += 1_000), 1_200));
    expect(statsView(state, snapshot, now).statsOf('model', task).timeToFirstTokenP50Ms).toBeGreaterThan(
      1_100,
    );
  });

  it('forgives a burst of errors as it ages', () => {
    const state = createOptimizerState();
    for (let attempt = 0; attempt < 10; attempt++) recordOutcome(state, failed(attempt));
    const view = (at: number) => statsView(state, snapshot, at).statsOf('model', task).errorRate;
    expect(view(10)).toBeGreaterThan(0.5);
    expect(view(30 * minute)).toBeLessThan(0.1);
  });

  it('counts an event that arrives late with the weight it would have had', () => {
    const inOrder = createOptimizerState();
    const lateArrival = createOptimizerState();
    recordOutcome(inOrder, failed(0));
    recordOutcome(inOrder, answered(10 * minute));
    recordOutcome(lateArrival, answered(10 * minute));
    recordOutcome(lateArrival, failed(0));
    const read = (state: typeof inOrder) => observedStats(state, 'model', task, 10 * minute)!;
    expect(read(lateArrival).attempts).toBeCloseTo(read(inOrder).attempts, 12);
    expect(read(lateArrival).errors).toBeCloseTo(read(inOrder).errors, 12);
    expect(read(lateArrival).errors).toBeCloseTo(0.25, 12);
  });
});

describe('recordOutcome: what counts', () => {
  it('leaves out failures that are the request’s or the account’s doing, but counts refusals', () => {
    const state = createOptimizerState();
    for (const errorKind of [
      'context_length',
      'auth',
      'bad_request',
      'aborted',
      'prefill_unsupported',
    ] as const) {
      recordOutcome(state, { modelId: 'model', taskType: task, now: 1, ok: false, errorKind });
    }
    expect(observedStats(state, 'model', task, 1)).toBeUndefined();
    recordOutcome(state, {
      modelId: 'model',
      taskType: task,
      now: 1,
      ok: false,
      errorKind: 'content_filter',
    });
    expect(observedStats(state, 'model', task, 1)?.errors).toBe(1);
  });

  it('measures speed as output tokens over generation time, and the first token of a cut stream too', () => {
    const state = createOptimizerState();
    recordOutcome(state, { ...answered(0, 500), totalMs: 2_500, outputTokens: 100 });
    recordOutcome(state, {
      modelId: 'model',
      taskType: task,
      now: 0,
      ok: false,
      errorKind: 'stream_cut',
      timeToFirstTokenMs: 700,
      totalMs: 900,
    });
    const observed = observedStats(state, 'model', task, 0)!;
    expect(observed.outputTokensPerSecond).toBeCloseTo(50, 9);
    expect(observed.timeToFirstTokenWeight).toBe(2);
    expect(observed.totalWeight).toBe(1);
    expect(observed.errors).toBe(1);
  });

  it('refuses measurements that are not numbers, naming the field and the model', () => {
    const state = createOptimizerState();
    expect(() => recordOutcome(state, { ...answered(0), timeToFirstTokenMs: Number.NaN })).toThrow(
      /timeToFirstTokenMs of an attempt on "model"/,
    );
    expect(() => recordOutcome(state, { ...answered(0), totalMs: -1 })).toThrow(/totalMs/);
    expect(() => recordOutcome(state, { ...answered(Number.POSITIVE_INFINITY) })).toThrow(
      /epoch milliseconds/,
    );
    expect(() => recordOutcome(state, { ...answered(0), taskType: 'poetry' as typeof task })).toThrow(
      /Unknown task type "poetry"/,
    );
    expect(state.cells.size).toBe(0);
  });
});
