import { negligibleWeight } from './discount.ts';

/**
 * Relative accuracy of every quantile a {@link LatencySketch} reports: the value returned for a
 * quantile is within 2 % of the exact value at that rank (DDSketch's guarantee, Masson, Rim and
 * Lee, VLDB 2019), for any data, any weights and any number of merges.
 */
export const latencySketchRelativeAccuracy = 0.02;

/** Smallest value told apart, in milliseconds; anything at or below it reads back as about this. */
export const latencySketchMinimumMs = 0.01;

/** Largest value told apart, in milliseconds (about 28 hours); anything above reads back as about this. */
export const latencySketchMaximumMs = 1e8;

const gamma = (1 + latencySketchRelativeAccuracy) / (1 - latencySketchRelativeAccuracy);
const logGamma = Math.log(gamma);
const minimumIndex = Math.ceil(Math.log(latencySketchMinimumMs) / logGamma);
const maximumIndex = Math.ceil(Math.log(latencySketchMaximumMs) / logGamma);

/** Bucket indices a sketch may use: at most this many buckets, whatever the data. */
export const latencySketchIndexRange = { minimum: minimumIndex, maximum: maximumIndex } as const;

/**
 * A mergeable quantile sketch of latencies: a histogram over logarithmic buckets, bucket `i`
 * holding the (discounted) weight of values in (γ^(i−1), γ^i] with γ = 1.02 / 0.98, as DDSketch
 * does. Chosen over P² because P² cannot be merged, and over a t-digest because merging two
 * histograms is an exact bucket-by-bucket sum: commutative, associative, and with an error bound
 * that holds after any number of merges (a t-digest's only holds approximately). Bucket counts
 * are plain numbers, so they can carry fractional, time-discounted weights.
 *
 * Size: one number per bucket between the smallest and the largest value seen. Latencies between
 * 50 ms and 20 s take about 150 buckets; the whole tracked range is at most 577.
 *
 * Mutable: the functions below change the sketch they are given. Stored densely, so it is plain
 * JSON as it stands.
 */
export interface LatencySketch {
  /** Bucket index of `counts[0]`. */
  offset: number;
  /** Weight per bucket, from index `offset` upwards; no zero at either end. */
  counts: number[];
}

/** An empty sketch. */
export function createLatencySketch(): LatencySketch {
  return { offset: 0, counts: [] };
}

function bucketIndex(valueMs: number): number {
  if (!(valueMs > latencySketchMinimumMs)) return minimumIndex;
  const index = Math.ceil(Math.log(valueMs) / logGamma);
  return index > maximumIndex ? maximumIndex : index;
}

/** The value a bucket stands for: within the relative accuracy of everything in it. */
function bucketValue(index: number): number {
  return (2 * Math.exp(index * logGamma)) / (gamma + 1);
}

function addAtIndex(sketch: LatencySketch, index: number, weight: number): void {
  const counts = sketch.counts;
  if (counts.length === 0) {
    sketch.offset = index;
    counts.push(weight);
    return;
  }
  const position = index - sketch.offset;
  if (position < 0) {
    counts.unshift(...new Array<number>(-position).fill(0));
    sketch.offset = index;
    counts[0] = weight;
    return;
  }
  while (counts.length <= position) counts.push(0);
  counts[position] = counts[position]! + weight;
}

/** Adds `weight` (default 1) at `valueMs`. Non-positive or negligible weights are ignored. */
export function addToSketch(sketch: LatencySketch, valueMs: number, weight = 1): void {
  if (!(weight >= negligibleWeight)) return;
  addAtIndex(sketch, bucketIndex(valueMs), weight);
}

function trim(sketch: LatencySketch): void {
  const counts = sketch.counts;
  let start = 0;
  while (start < counts.length && counts[start] === 0) start++;
  let end = counts.length;
  while (end > start && counts[end - 1] === 0) end--;
  if (start === 0 && end === counts.length) return;
  sketch.counts = counts.slice(start, end);
  sketch.offset = sketch.counts.length === 0 ? 0 : sketch.offset + start;
}

/** Multiplies every weight by `factor` (time discounting), dropping weights that become negligible. */
export function scaleSketch(sketch: LatencySketch, factor: number): void {
  if (factor === 1) return;
  const counts = sketch.counts;
  for (let position = 0; position < counts.length; position++) {
    const scaled = counts[position]! * factor;
    counts[position] = scaled < negligibleWeight ? 0 : scaled;
  }
  trim(sketch);
}

/** Adds `source`, its weights multiplied by `factor`, into `target`; `source` is not changed. */
export function addSketchInto(target: LatencySketch, source: LatencySketch, factor: number): void {
  const counts = source.counts;
  for (let position = 0; position < counts.length; position++) {
    const weight = counts[position]! * factor;
    if (weight >= negligibleWeight) addAtIndex(target, source.offset + position, weight);
  }
}

/** An independent copy. */
export function copySketch(sketch: LatencySketch): LatencySketch {
  return { offset: sketch.offset, counts: sketch.counts.slice() };
}

/** Total weight held: the (discounted) number of values recorded. */
export function sketchWeight(sketch: LatencySketch): number {
  let total = 0;
  for (const count of sketch.counts) total += count;
  return total;
}

/**
 * The `quantile` (0..1) of the recorded values, weights counted: the value of the first bucket at
 * which the cumulative weight reaches `quantile × total` (so 0 reads the smallest value and 1 the
 * largest). Within {@link latencySketchRelativeAccuracy} of the exact weighted quantile for values
 * inside the tracked range. `undefined` when the sketch holds nothing.
 */
export function sketchQuantile(sketch: LatencySketch, quantile: number): number | undefined {
  const counts = sketch.counts;
  const total = sketchWeight(sketch);
  if (!(total > 0)) return undefined;
  const target = (quantile < 0 ? 0 : quantile > 1 ? 1 : quantile) * total;
  // Rounding in the running sum must not skip the last bucket.
  const tolerance = total * 1e-12;
  let cumulative = 0;
  for (let position = 0; position < counts.length; position++) {
    const count = counts[position]!;
    cumulative += count;
    if (count > 0 && cumulative + tolerance >= target) return bucketValue(sketch.offset + position);
  }
  return bucketValue(sketch.offset + counts.length - 1);
}

/** Whether `sketch` is well formed: indices in range, weights finite and non-negative. */
export function isValidSketch(sketch: LatencySketch): boolean {
  if (!Number.isInteger(sketch.offset)) return false;
  if (sketch.counts.length === 0) return true;
  if (sketch.offset < minimumIndex || sketch.offset + sketch.counts.length - 1 > maximumIndex) return false;
  return sketch.counts.every((count) => Number.isFinite(count) && count >= 0);
}
