import { describe, expect, it } from 'vitest';
import {
  defaultCostReferenceMicros,
  defaultLatencyReferenceMs,
  saturatingComponent,
  scoringScales,
} from './scoring-scales.ts';

describe('scoringScales', () => {
  it('uses a cent and five seconds when the request sets no ceiling or budget', () => {
    expect(scoringScales({})).toEqual({ costReferenceMicros: 10_000, latencyReferenceMs: 5_000 });
  });

  it('lowers the scales to a tighter cost ceiling and latency budget', () => {
    expect(scoringScales({ costCeilingMicros: 300, latencyBudgetMs: 2_000 })).toEqual({
      costReferenceMicros: 300,
      latencyReferenceMs: 2_000,
    });
  });

  it('does not let a generous ceiling or budget make money or time count less', () => {
    expect(scoringScales({ costCeilingMicros: 1_000_000, latencyBudgetMs: 60_000 })).toEqual({
      costReferenceMicros: defaultCostReferenceMicros,
      latencyReferenceMs: defaultLatencyReferenceMs,
    });
  });

  it('keeps the default cost scale under a zero ceiling, where only free models qualify', () => {
    expect(scoringScales({ costCeilingMicros: 0 }).costReferenceMicros).toBe(defaultCostReferenceMicros);
  });
});

describe('saturatingComponent', () => {
  it('is 1 for nothing, a half at the reference, and falls ever more slowly beyond it', () => {
    expect(saturatingComponent(0, 10_000)).toBe(1);
    expect(saturatingComponent(10_000, 10_000)).toBe(0.5);
    const firstStep = saturatingComponent(10_000, 10_000) - saturatingComponent(20_000, 10_000);
    const laterStep = saturatingComponent(90_000, 10_000) - saturatingComponent(100_000, 10_000);
    expect(laterStep).toBeGreaterThan(0);
    expect(laterStep).toBeLessThan(firstStep);
  });
});
