import { describe, expect, it } from 'vitest';
import { sampleBeta, sampleGamma, sampleQualityPosterior } from './beta-sample.ts';
import { createSeededRandom } from './seeded-random.ts';

function moments(draw: () => number, count = 100_000) {
  let sum = 0;
  let squares = 0;
  for (let index = 0; index < count; index++) {
    const value = draw();
    sum += value;
    squares += value * value;
  }
  const mean = sum / count;
  return { mean, variance: squares / count - mean * mean };
}

describe('sampleGamma', () => {
  it.each([0.3, 1, 2.5, 9])('has mean and variance equal to the shape %s', (shape) => {
    const random = createSeededRandom(3);
    const { mean, variance } = moments(() => sampleGamma(random, shape));
    expect(mean).toBeCloseTo(shape, 1);
    expect(variance / shape).toBeCloseTo(1, 1);
  });

  it('refuses a shape that is not positive', () => {
    expect(() => sampleGamma(createSeededRandom(1), 0)).toThrow(/positive/);
  });
});

describe('sampleBeta', () => {
  it.each([
    [2.8, 1.2],
    [0.4, 3.6],
    [0.5, 0.5],
    [40, 60],
  ])('matches the mean and variance of Beta(%s, %s)', (alpha, beta) => {
    const random = createSeededRandom(5);
    const { mean, variance } = moments(() => sampleBeta(random, alpha, beta));
    const total = alpha + beta;
    expect(mean).toBeCloseTo(alpha / total, 2);
    expect(variance).toBeCloseTo((alpha * beta) / (total * total * (total + 1)), 3);
  });
});

describe('sampleQualityPosterior', () => {
  it('centres on the mean and narrows as observations grow', () => {
    const random = createSeededRandom(9);
    const few = moments(() => sampleQualityPosterior(random, 0.8, 4));
    const many = moments(() => sampleQualityPosterior(random, 0.8, 400));
    expect(few.mean).toBeCloseTo(0.8, 2);
    expect(many.mean).toBeCloseTo(0.8, 2);
    expect(many.variance).toBeLessThan(few.variance / 50);
  });

  it('stays a proper distribution inside [0, 1] at means of exactly 0 and 1 and with no observations', () => {
    const random = createSeededRandom(13);
    for (const [mean, observations] of [
      [0, 4],
      [1, 4],
      [0.5, 0],
    ] as const) {
      for (let index = 0; index < 1_000; index++) {
        const draw = sampleQualityPosterior(random, mean, observations);
        expect(draw).toBeGreaterThanOrEqual(0);
        expect(draw).toBeLessThanOrEqual(1);
      }
    }
  });
});
