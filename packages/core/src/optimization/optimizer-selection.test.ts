import { describe, expect, it } from 'vitest';
import { parseTherapeuticContext, riskLevels } from '../context/therapeutic-context.ts';
import { allHealthy } from '../selection/health-views.ts';
import { select } from '../selection/select.ts';
import { createSeededRandom } from '../selection/seeded-random.ts';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { createOptimizerState } from './optimizer-state.ts';
import { statsView } from './optimizer-stats-view.ts';
import { recordOutcome } from './record-outcome.ts';
import { recordQuality } from './record-quality.ts';

/**
 * Three models that look alike in the registry (same quality prior, latency, price); in truth one
 * writes much better dialogue. The optimiser must find it from outcomes and player signals alone.
 */
const trueQuality: Record<string, number> = { first: 0.55, second: 0.7, third: 0.9 };
const snapshot = testSnapshot({
  models: Object.keys(trueQuality).map((id) =>
    testModel(id, { qualityPriors: { default: 0.7, byTask: {} } }),
  ),
  policies: [{ name: 'default', explorationRate: 0.1, weights: { quality: 2, latency: 1, cost: 1 } }],
});

/** Runs `requests` seeded requests through the real `select()` on the optimiser's view. */
function simulate(
  requests: number,
  riskOf: (index: number) => (typeof riskLevels)[number],
  qualityOf: (modelId: string, index: number) => number = (modelId) => trueQuality[modelId]!,
) {
  const state = createOptimizerState();
  const random = createSeededRandom(99);
  const picks: { modelId: string; explored: boolean; risk: string }[] = [];
  let now = 1_700_000_000_000;
  for (let index = 0; index < requests; index++) {
    now += 1_000;
    const riskLevel = riskOf(index);
    const decision = select({
      context: parseTherapeuticContext({ taskType: 'dialogue_generation', riskLevel, creativity: 0.6 }),
      request: { estimatedInputTokens: 1_500 },
      snapshot,
      health: allHealthy,
      stats: statsView(state, snapshot, now),
      seed: index,
    });
    const modelId = decision.candidates[0]!.modelId;
    picks.push({ modelId, explored: decision.explored, risk: riskLevel });
    recordOutcome(state, {
      modelId,
      taskType: 'dialogue_generation',
      now,
      ok: true,
      timeToFirstTokenMs: 400,
      totalMs: 3_000,
      outputTokens: 200,
    });
    const quality = qualityOf(modelId, index);
    const signal =
      random.next() < 0.2
        ? ({ type: 'feedback', score: random.next() < quality ? 1 : 0 } as const)
        : random.next() < 0.5 * (1 - quality)
          ? ({ type: 'regenerated' } as const)
          : ({ type: 'continued' } as const);
    recordQuality(state, { modelId, taskType: 'dialogue_generation', now, signal });
  }
  return picks;
}

describe('selection on the optimiser’s view', () => {
  it('learns to send most traffic to the truly best model within 1,500 requests', () => {
    const picks = simulate(1_500, () => 'none');
    const share = (from: number, to: number) =>
      picks.slice(from, to).filter((pick) => pick.modelId === 'third').length / (to - from);
    // At first the three look alike (a third each, give or take the draws); by the end, not.
    expect(share(0, 20)).toBeLessThan(0.5);
    expect(share(1_000, 1_500)).toBeGreaterThan(0.8);
    expect(share(1_000, 1_500)).toBeGreaterThan(share(0, 50) + 0.25);
  });

  it('never explores at elevated or crisis risk over a long seeded run, and explores within budget below', () => {
    const picks = simulate(2_000, (index) => riskLevels[index % riskLevels.length]!);
    const highRisk = picks.filter((pick) => pick.risk === 'elevated' || pick.risk === 'crisis');
    expect(highRisk.length).toBe(1_000);
    expect(highRisk.some((pick) => pick.explored)).toBe(false);
    const lowRisk = picks.filter((pick) => pick.risk === 'none' || pick.risk === 'low');
    const exploredShare = (from: number, to: number) =>
      lowRisk.slice(from, to).filter((pick) => pick.explored).length / (to - from);
    // The budget is 10 %: never more (3 standard deviations of its coin allowed for) ...
    expect(exploredShare(0, 1_000)).toBeLessThan(0.1 + 3 * Math.sqrt((0.1 * 0.9) / 1_000));
    // ... spent while the three are uncertain, and less and less once the best is clear.
    expect(exploredShare(0, 250)).toBeGreaterThan(0);
    expect(exploredShare(500, 1_000)).toBeLessThan(exploredShare(0, 250));
  });

  it('re-learns when the best model gets worse: most traffic moves to the new best within 1,000 requests', () => {
    const degradeAt = 1_500;
    const picks = simulate(
      3_000,
      () => 'none',
      (modelId, index) => (modelId === 'third' && index >= degradeAt ? 0.4 : trueQuality[modelId]!),
    );
    const share = (modelId: string, from: number, to: number) =>
      picks.slice(from, to).filter((pick) => pick.modelId === modelId).length / (to - from);
    expect(share('third', degradeAt - 500, degradeAt)).toBeGreaterThan(0.8);
    expect(share('third', degradeAt + 1_000, degradeAt + 1_500)).toBeLessThan(0.2);
    expect(share('second', degradeAt + 1_000, degradeAt + 1_500)).toBeGreaterThan(0.6);
  });
});
