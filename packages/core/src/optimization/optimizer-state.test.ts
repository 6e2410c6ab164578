import { describe, expect, it } from 'vitest';
import { createOptimizerState, defaultHalfLives } from './optimizer-state.ts';

describe('createOptimizerState: half-lives', () => {
  it('fills in the defaults: an hour for quality, ten minutes for its short memory, five for latency and errors', () => {
    expect(createOptimizerState().halfLives).toEqual({
      qualityMs: 3_600_000,
      recentQualityMs: 600_000,
      latencyMs: 300_000,
      reliabilityMs: 300_000,
    });
    expect(defaultHalfLives.recentQualityMs).toBe(600_000);
  });

  it('keeps the short quality memory no longer than the long one', () => {
    expect(createOptimizerState({ halfLives: { qualityMs: 120_000 } }).halfLives.recentQualityMs).toBe(
      120_000,
    );
    expect(() =>
      createOptimizerState({ halfLives: { qualityMs: 600_000, recentQualityMs: 1_200_000 } }),
    ).toThrow(/recentQualityMs \(1200000\) must not exceed qualityMs \(600000\)/);
  });

  it('refuses a half-life that is not a positive number, naming it', () => {
    expect(() => createOptimizerState({ halfLives: { recentQualityMs: 0 } })).toThrow(
      /Half-life recentQualityMs must be a positive number/,
    );
    expect(() => createOptimizerState({ halfLives: { latencyMs: Number.NaN } })).toThrow(/latencyMs/);
  });
});
