import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../selection/seeded-random.ts';
import {
  addSketchInto,
  addToSketch,
  createLatencySketch,
  latencySketchIndexRange,
  latencySketchRelativeAccuracy,
  scaleSketch,
  sketchQuantile,
  sketchWeight,
  type LatencySketch,
} from './latency-sketch.ts';

const quantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];

/** The exact lower quantile the sketch approximates: the value at which the cumulative count first reaches q × n. */
function exactQuantile(sorted: readonly number[], quantile: number): number {
  const rank = Math.max(Math.ceil(quantile * sorted.length), 1);
  return sorted[rank - 1]!;
}

function sketchOf(values: readonly number[]): LatencySketch {
  const sketch = createLatencySketch();
  for (const value of values) addToSketch(sketch, value);
  return sketch;
}

function expectWithinAccuracy(sketch: LatencySketch, values: readonly number[]): void {
  const sorted = [...values].sort((first, second) => first - second);
  for (const quantile of quantiles) {
    const exact = exactQuantile(sorted, quantile);
    const estimate = sketchQuantile(sketch, quantile)!;
    expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(latencySketchRelativeAccuracy + 1e-12);
  }
}

describe('latency sketch', () => {
  const random = createSeededRandom(11);
  const datasets: Record<string, number[]> = {
    'log-normal first-token times': Array.from(
      { length: 20_000 },
      () => 400 * Math.exp(0.7 * random.nextNormal()),
    ),
    'uniform 50..20,000 ms': Array.from({ length: 20_000 }, () => 50 + 19_950 * random.next()),
    'exponential with a heavy tail': Array.from(
      { length: 20_000 },
      () => -2_000 * Math.log(1 - random.next()),
    ),
    'a few values': [120, 80, 2_000, 310, 95],
  };

  it.each(Object.entries(datasets))(
    'reads every quantile of %s within 2 %% of the exact value',
    (_, values) => {
      expectWithinAccuracy(sketchOf(values), values);
    },
  );

  it('holds its error bound on arbitrary data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.05, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (values) => expectWithinAccuracy(sketchOf(values), values),
      ),
      { numRuns: 200 },
    );
  });

  it('merges into exactly the sketch of the union, whatever the split', () => {
    const values = datasets['log-normal first-token times']!;
    const left = sketchOf(values.slice(0, 7_000));
    const right = sketchOf(values.slice(7_000));
    addSketchInto(left, right, 1);
    const whole = sketchOf(values);
    expect(left.offset).toBe(whole.offset);
    left.counts.forEach((count, index) => expect(count).toBeCloseTo(whole.counts[index]!, 9));
    expectWithinAccuracy(left, values);
  });

  it('keeps quantiles when every weight is scaled, and drops weights that become negligible', () => {
    const sketch = sketchOf([100, 200, 300, 400]);
    const median = sketchQuantile(sketch, 0.5);
    scaleSketch(sketch, 0.25);
    expect(sketchQuantile(sketch, 0.5)).toBe(median);
    expect(sketchWeight(sketch)).toBeCloseTo(1, 12);
    scaleSketch(sketch, 1e-12);
    expect(sketch.counts).toEqual([]);
    expect(sketchQuantile(sketch, 0.5)).toBeUndefined();
  });

  it('stays within its bucket range for values far outside the tracked range', () => {
    const sketch = sketchOf([0, 1e-6, 1e12, 5]);
    expect(sketch.offset).toBe(latencySketchIndexRange.minimum);
    expect(sketch.offset + sketch.counts.length - 1).toBe(latencySketchIndexRange.maximum);
    expect(sketch.counts.length).toBeLessThanOrEqual(
      latencySketchIndexRange.maximum - latencySketchIndexRange.minimum + 1,
    );
  });

  it('reads nothing from an empty sketch', () => {
    expect(sketchQuantile(createLatencySketch(), 0.5)).toBeUndefined();
  });
});
