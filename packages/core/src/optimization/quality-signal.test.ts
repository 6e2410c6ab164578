import { describe, expect, it } from 'vitest';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { createOptimizerState } from './optimizer-state.ts';
import { statsView } from './optimizer-stats-view.ts';
import { qualitySignalEvidence, type QualitySignal } from './quality-signal.ts';
import { recordQuality } from './record-quality.ts';

const snapshot = testSnapshot({
  models: [testModel('writer', { qualityPriors: { default: 0.5, byTask: {} } })],
});
const now = 1_000_000;

/** The posterior after one signal, from a prior of 0.5 worth 4 observations: Beta(2 + α, 2 + β). */
function posteriorAfter(signal: QualitySignal) {
  const state = createOptimizerState();
  recordQuality(state, { modelId: 'writer', taskType: 'dialogue_generation', now, signal });
  return statsView(state, snapshot, now).statsOf('writer', 'dialogue_generation');
}

describe('quality signals', () => {
  it.each([
    [{ type: 'feedback', score: 0.8 }, 0.8, 0.2],
    [{ type: 'feedback', score: 0 }, 0, 1],
    [{ type: 'continued' }, 0.25, 0],
    [{ type: 'regenerated' }, 0, 0.75],
    [{ type: 'abandoned' }, 0, 0.5],
    [{ type: 'safety-screen', outcome: 'passed' }, 0.05, 0],
    [{ type: 'safety-screen', outcome: 'flagged-correctly' }, 1, 0],
    [{ type: 'safety-screen', outcome: 'missed' }, 0, 3],
    [{ type: 'safety-screen', outcome: 'false-alarm' }, 0, 0.5],
  ] as const)('%o adds α %s and β %s to the Beta posterior', (signal, successes, failures) => {
    const evidence = qualitySignalEvidence(signal);
    expect(evidence.successes).toBeCloseTo(successes, 12);
    expect(evidence.failures).toBeCloseTo(failures, 12);
    const stats = posteriorAfter(signal);
    expect(stats.qualityObservations).toBeCloseTo(4 + successes + failures, 12);
    expect(stats.qualityMean).toBeCloseTo((2 + successes) / (4 + successes + failures), 12);
  });

  it('moves the mean the way each signal says: praise up, rejection down, a missed risk furthest down', () => {
    const mean = (signal: QualitySignal) => posteriorAfter(signal).qualityMean;
    expect(mean({ type: 'continued' })).toBeGreaterThan(0.5);
    expect(mean({ type: 'regenerated' })).toBeLessThan(mean({ type: 'abandoned' }));
    expect(mean({ type: 'abandoned' })).toBeLessThan(0.5);
    expect(mean({ type: 'safety-screen', outcome: 'missed' })).toBeLessThan(mean({ type: 'regenerated' }));
  });

  it('refuses a feedback score outside 0..1 and an unknown signal, saying what is expected', () => {
    expect(() => qualitySignalEvidence({ type: 'feedback', score: 1.5 })).toThrow(/from 0 \(bad\) to 1/);
    expect(() => qualitySignalEvidence({ type: 'feedback', score: Number.NaN })).toThrow(RangeError);
    expect(() => qualitySignalEvidence({ type: 'liked' } as unknown as QualitySignal)).toThrow(
      /feedback, continued/,
    );
    expect(() =>
      qualitySignalEvidence({ type: 'safety-screen', outcome: 'maybe' } as unknown as QualitySignal),
    ).toThrow(/passed, flagged-correctly/);
  });
});
