import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, streamState } from './seeded-random.ts';

const draws = (seed: number, count = 8) => {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => random.next());
};

describe('createSeededRandom', () => {
  it('replays the same sequence for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draws(seed)).toEqual(draws(seed));
      }),
    );
  });

  it('gives different sequences for neighbouring, negative and large seeds', () => {
    const sequences = [0, 1, 2, -1, 2 ** 40, 2 ** 40 + 1].map((seed) => draws(seed).join(','));
    expect(new Set(sequences).size).toBe(sequences.length);
  });

  it('draws uniforms in [0, 1) with the mean and spread of a uniform distribution', () => {
    const random = createSeededRandom(7);
    const values = Array.from({ length: 100_000 }, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws normals with mean 0, variance 1 and normal tails', () => {
    const random = createSeededRandom(11);
    const count = 200_000;
    let sum = 0;
    let squares = 0;
    let beyondTwo = 0;
    let beyondThree = 0;
    for (let index = 0; index < count; index++) {
      const value = random.nextNormal();
      sum += value;
      squares += value * value;
      if (Math.abs(value) > 2) beyondTwo++;
      if (Math.abs(value) > 3) beyondThree++;
    }
    expect(sum / count).toBeCloseTo(0, 2);
    expect(squares / count).toBeCloseTo(1, 1);
    expect(beyondTwo / count).toBeCloseTo(0.0455, 2);
    expect(beyondThree / count).toBeCloseTo(0.0027, 3);
  });

  it('refuses a seed that is not a finite number', () => {
    expect(() => createSeededRandom(Number.NaN)).toThrow(/finite number/);
    expect(() => createSeededRandom(Infinity)).toThrow(/finite number/);
  });
});

describe('streamState', () => {
  it('gives each key under one seed its own starting state', () => {
    const states = Array.from({ length: 1_000 }, (_, key) => streamState(12_345, key));
    expect(new Set(states).size).toBe(1_000);
  });
});
