import { describe, expect, it } from 'vitest';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { createOptimizerState } from './optimizer-state.ts';
import { statsView } from './optimizer-stats-view.ts';
import { recordOutcome } from './record-outcome.ts';
import { recordQuality } from './record-quality.ts';

const snapshot = testSnapshot({
  models: [
    testModel('known', {
      qualityPriors: { default: 0.6, byTask: { narrative_generation: 0.9 } },
      latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 1_200, outputTokensPerSecond: 80 },
    }),
  ],
});
const hour = 3_600_000;

describe('statsView', () => {
  it('reads the registry priors for pairs nothing was recorded for', () => {
    const view = statsView(createOptimizerState(), snapshot, 0);
    expect(view.statsOf('known', 'narrative_generation')).toEqual({
      qualityMean: 0.9,
      qualityObservations: 4,
      timeToFirstTokenP50Ms: 400,
      timeToFirstTokenP95Ms: 1_200,
      outputTokensPerSecond: 80,
      errorRate: 0,
    });
    expect(view.statsOf('known', 'dialogue_generation').qualityMean).toBe(0.6);
  });

  it('refuses a model the snapshot does not hold, as the priors view does', () => {
    expect(() => statsView(createOptimizerState(), snapshot, 0).statsOf('ghost', 'general_chat')).toThrow(
      /build the stats view from the snapshot you select against/,
    );
  });

  it('combines the prior and the evidence into one Beta posterior', () => {
    const state = createOptimizerState();
    for (let index = 0; index < 6; index++) {
      recordQuality(state, {
        modelId: 'known',
        taskType: 'dialogue_generation',
        now: 0,
        signal: { type: 'feedback', score: 1 },
      });
    }
    const stats = statsView(state, snapshot, 0).statsOf('known', 'dialogue_generation');
    // Prior 0.6 worth 4: Beta(2.4, 1.6), plus 6 successes: Beta(8.4, 1.6).
    expect(stats.qualityMean).toBeCloseTo(0.84, 12);
    expect(stats.qualityObservations).toBeCloseTo(10, 12);
  });

  it('grows less sure of an unused model, but no more optimistic about it', () => {
    const state = createOptimizerState();
    for (let index = 0; index < 40; index++) {
      recordQuality(state, {
        modelId: 'known',
        taskType: 'dialogue_generation',
        now: 0,
        signal: { type: 'regenerated' },
      });
    }
    const now = statsView(state, snapshot, 0).statsOf('known', 'dialogue_generation');
    const later = statsView(state, snapshot, 3 * hour).statsOf('known', 'dialogue_generation');
    expect(later.qualityMean).toBe(now.qualityMean);
    expect(now.qualityObservations).toBeCloseTo(34, 9);
    expect(later.qualityObservations).toBeCloseTo(4 + 30 / 8, 9);
  });

  it('learns the median first-token time from a few answers but the tail only from dozens', () => {
    const state = createOptimizerState();
    const answer = (now: number, firstToken: number) =>
      recordOutcome(state, {
        modelId: 'known',
        taskType: 'general_chat',
        now,
        ok: true,
        timeToFirstTokenMs: firstToken,
        totalMs: firstToken + 1_000,
        outputTokens: 100,
      });
    for (const firstToken of [800, 800, 800, 800, 800, 800, 800, 800, 800, 5_000]) answer(0, firstToken);
    const few = statsView(state, snapshot, 0).statsOf('known', 'general_chat');
    // Median: (400 × 4 + ~800 × 10) ÷ 14; the lone slow answer barely moves the prior's tail ratio of 3.
    expect(few.timeToFirstTokenP50Ms).toBeGreaterThan(650);
    expect(few.timeToFirstTokenP50Ms).toBeLessThan(720);
    expect(few.timeToFirstTokenP95Ms / few.timeToFirstTokenP50Ms).toBeLessThan(4.8);
    expect(few.outputTokensPerSecond).toBeCloseTo((80 * 4 + 100 * 10) / 14, 6);
    for (let index = 0; index < 200; index++) answer(0, index % 20 === 19 ? 4_000 : 800);
    const many = statsView(state, snapshot, 0).statsOf('known', 'general_chat');
    expect(many.timeToFirstTokenP95Ms).toBeGreaterThan(2_500);
  });
});
