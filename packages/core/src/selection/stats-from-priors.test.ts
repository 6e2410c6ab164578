import { describe, expect, it } from 'vitest';
import { priorObservationWeight, statsFromPriors } from './stats-from-priors.ts';
import { testModel, testSnapshot } from './testing/test-registry.ts';

describe('statsFromPriors', () => {
  const snapshot = testSnapshot({
    models: [
      testModel('writer', {
        qualityPriors: { default: 0.6, byTask: { narrative_generation: 0.9 } },
        latencyPriors: { timeToFirstTokenP50Ms: 300, timeToFirstTokenP95Ms: 800, outputTokensPerSecond: 55 },
      }),
    ],
  });
  const stats = statsFromPriors(snapshot);

  it('takes the quality prior for the task, else the default', () => {
    expect(stats.statsOf('writer', 'narrative_generation').qualityMean).toBe(0.9);
    expect(stats.statsOf('writer', 'summarization').qualityMean).toBe(0.6);
  });

  it('counts the prior as a few observations, with the latency priors and no errors', () => {
    expect(stats.statsOf('writer', 'general_chat')).toEqual({
      qualityMean: 0.6,
      qualityObservations: priorObservationWeight,
      timeToFirstTokenP50Ms: 300,
      timeToFirstTokenP95Ms: 800,
      outputTokensPerSecond: 55,
      errorRate: 0,
    });
    expect(priorObservationWeight).toBeLessThanOrEqual(10);
  });

  it('throws, naming the model, for a model the snapshot does not hold', () => {
    expect(() => stats.statsOf('stranger', 'general_chat')).toThrow(/"stranger".*registry version 1/);
  });
});
