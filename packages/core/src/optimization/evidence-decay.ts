import { decayed, decayFactor } from './discount.ts';
import { addSketchInto, copySketch, scaleSketch, sketchWeight } from './latency-sketch.ts';
import type {
  LatencyCounts,
  OptimizerHalfLives,
  QualityCounts,
  ReliabilityCounts,
} from './optimizer-state.ts';

/**
 * Each kind of evidence keeps its counts decayed to its own `updatedAt`. An event at `now` later
 * than that first decays the counts to `now` and then adds itself at full weight; an event older
 * than `updatedAt` (a late report from another host) adds itself already decayed, leaving the
 * counts where they are. Either way the counts equal the sum of every event's weight times
 * 2^(−age / half-life) at `updatedAt`, whatever order the events came in.
 */

/** Whether the counts hold no evidence at all. */
export function isQualityEmpty(counts: QualityCounts): boolean {
  return counts.successes === 0 && counts.failures === 0;
}

/** See {@link isQualityEmpty}. */
export function isReliabilityEmpty(counts: ReliabilityCounts): boolean {
  return counts.attempts === 0;
}

/** See {@link isQualityEmpty}. */
export function isLatencyEmpty(counts: LatencyCounts): boolean {
  return (
    counts.firstToken.counts.length === 0 &&
    counts.total.counts.length === 0 &&
    counts.throughputSamples === 0
  );
}

/**
 * Adds quality evidence observed at `now` to the counts, both memories at once: the long one
 * (`qualityMs`) and the short one (`recentQualityMs`), each decayed with its own half-life. An
 * event older than the counts' `updatedAt` adds itself already decayed, in each memory by its own
 * rate, so the result does not depend on the order events arrive in. The signal's weight squared
 * goes to `squaredWeights` (see `QualityCounts`), decayed by the square of the same factors.
 */
export function addQualityEvidence(
  counts: QualityCounts,
  successes: number,
  failures: number,
  now: number,
  halfLives: Pick<OptimizerHalfLives, 'qualityMs' | 'recentQualityMs'>,
): void {
  let longWeight = 1;
  let recentWeight = 1;
  if (isQualityEmpty(counts)) {
    counts.updatedAt = now;
    counts.recentSuccesses = 0;
    counts.recentFailures = 0;
    counts.squaredWeights = 0;
    counts.recentSquaredWeights = 0;
  } else if (now > counts.updatedAt) {
    const longFactor = decayFactor(counts.updatedAt, now, halfLives.qualityMs);
    const recentFactor = decayFactor(counts.updatedAt, now, halfLives.recentQualityMs);
    counts.successes = decayed(counts.successes, longFactor);
    counts.failures = decayed(counts.failures, longFactor);
    counts.recentSuccesses = decayed(counts.recentSuccesses, recentFactor);
    counts.recentFailures = decayed(counts.recentFailures, recentFactor);
    counts.squaredWeights = decayed(counts.squaredWeights, longFactor * longFactor);
    counts.recentSquaredWeights = decayed(counts.recentSquaredWeights, recentFactor * recentFactor);
    counts.updatedAt = now;
  } else {
    longWeight = decayFactor(now, counts.updatedAt, halfLives.qualityMs);
    recentWeight = decayFactor(now, counts.updatedAt, halfLives.recentQualityMs);
  }
  const weight = successes + failures;
  counts.successes += successes * longWeight;
  counts.failures += failures * longWeight;
  counts.recentSuccesses += successes * recentWeight;
  counts.recentFailures += failures * recentWeight;
  counts.squaredWeights += (weight * longWeight) ** 2;
  counts.recentSquaredWeights += (weight * recentWeight) ** 2;
}

/** Decays the counts to `now` when later; returns the weight an event at `now` carries (see the top of this file). */
export function advanceReliability(counts: ReliabilityCounts, now: number, halfLifeMs: number): number {
  if (isReliabilityEmpty(counts)) {
    counts.updatedAt = now;
    counts.errors = 0;
    return 1;
  }
  if (now > counts.updatedAt) {
    const factor = decayFactor(counts.updatedAt, now, halfLifeMs);
    counts.attempts = decayed(counts.attempts, factor);
    counts.errors = Math.min(decayed(counts.errors, factor), counts.attempts);
    counts.updatedAt = now;
    return 1;
  }
  return decayFactor(now, counts.updatedAt, halfLifeMs);
}

function scaleLatency(counts: LatencyCounts, factor: number): void {
  scaleSketch(counts.firstToken, factor);
  scaleSketch(counts.total, factor);
  counts.throughputSamples = decayed(counts.throughputSamples, factor);
  if (counts.throughputSamples === 0) {
    counts.outputTokens = 0;
    counts.generationMs = 0;
  } else {
    counts.outputTokens *= factor;
    counts.generationMs *= factor;
  }
}

/** See {@link advanceReliability}. */
export function advanceLatency(counts: LatencyCounts, now: number, halfLifeMs: number): number {
  if (isLatencyEmpty(counts)) {
    counts.updatedAt = now;
    return 1;
  }
  if (now > counts.updatedAt) {
    scaleLatency(counts, decayFactor(counts.updatedAt, now, halfLifeMs));
    counts.updatedAt = now;
    return 1;
  }
  return decayFactor(now, counts.updatedAt, halfLifeMs);
}

/** The common time two counts merge at: the later of the two, ignoring empty ones. */
function mergeTime(first: number, firstEmpty: boolean, second: number, secondEmpty: boolean): number {
  if (firstEmpty) return secondEmpty ? 0 : second;
  if (secondEmpty) return first;
  return first > second ? first : second;
}

/** The sum of two quality counts brought to their later time, each memory at its rate; neither input changes. */
export function mergeQuality(
  first: QualityCounts,
  second: QualityCounts,
  halfLives: Pick<OptimizerHalfLives, 'qualityMs' | 'recentQualityMs'>,
): QualityCounts {
  const time = mergeTime(first.updatedAt, isQualityEmpty(first), second.updatedAt, isQualityEmpty(second));
  const firstFactor = decayFactor(first.updatedAt, time, halfLives.qualityMs);
  const secondFactor = decayFactor(second.updatedAt, time, halfLives.qualityMs);
  const firstRecent = decayFactor(first.updatedAt, time, halfLives.recentQualityMs);
  const secondRecent = decayFactor(second.updatedAt, time, halfLives.recentQualityMs);
  return {
    updatedAt: time,
    successes: decayed(first.successes, firstFactor) + decayed(second.successes, secondFactor),
    failures: decayed(first.failures, firstFactor) + decayed(second.failures, secondFactor),
    recentSuccesses:
      decayed(first.recentSuccesses, firstRecent) + decayed(second.recentSuccesses, secondRecent),
    recentFailures: decayed(first.recentFailures, firstRecent) + decayed(second.recentFailures, secondRecent),
    squaredWeights:
      decayed(first.squaredWeights, firstFactor * firstFactor) +
      decayed(second.squaredWeights, secondFactor * secondFactor),
    recentSquaredWeights:
      decayed(first.recentSquaredWeights, firstRecent * firstRecent) +
      decayed(second.recentSquaredWeights, secondRecent * secondRecent),
  };
}

/** See {@link mergeQuality}. */
export function mergeReliability(
  first: ReliabilityCounts,
  second: ReliabilityCounts,
  halfLifeMs: number,
): ReliabilityCounts {
  const time = mergeTime(
    first.updatedAt,
    isReliabilityEmpty(first),
    second.updatedAt,
    isReliabilityEmpty(second),
  );
  const firstFactor = decayFactor(first.updatedAt, time, halfLifeMs);
  const secondFactor = decayFactor(second.updatedAt, time, halfLifeMs);
  const attempts = decayed(first.attempts, firstFactor) + decayed(second.attempts, secondFactor);
  const errors = decayed(first.errors, firstFactor) + decayed(second.errors, secondFactor);
  return { updatedAt: time, attempts, errors: Math.min(errors, attempts) };
}

/** See {@link mergeQuality}. */
export function mergeLatency(first: LatencyCounts, second: LatencyCounts, halfLifeMs: number): LatencyCounts {
  const time = mergeTime(first.updatedAt, isLatencyEmpty(first), second.updatedAt, isLatencyEmpty(second));
  const firstFactor = decayFactor(first.updatedAt, time, halfLifeMs);
  const secondFactor = decayFactor(second.updatedAt, time, halfLifeMs);
  const firstToken = copySketch(first.firstToken);
  scaleSketch(firstToken, firstFactor);
  addSketchInto(firstToken, second.firstToken, secondFactor);
  const total = copySketch(first.total);
  scaleSketch(total, firstFactor);
  addSketchInto(total, second.total, secondFactor);
  const samples =
    decayed(first.throughputSamples, firstFactor) + decayed(second.throughputSamples, secondFactor);
  const keepsFirst = decayed(first.throughputSamples, firstFactor) > 0;
  const keepsSecond = decayed(second.throughputSamples, secondFactor) > 0;
  return {
    updatedAt: time,
    firstToken,
    total,
    outputTokens:
      (keepsFirst ? first.outputTokens * firstFactor : 0) +
      (keepsSecond ? second.outputTokens * secondFactor : 0),
    generationMs:
      (keepsFirst ? first.generationMs * firstFactor : 0) +
      (keepsSecond ? second.generationMs * secondFactor : 0),
    throughputSamples: samples,
  };
}

/** Total weight of a latency sketch decayed to `now`. */
export function sketchWeightAt(
  counts: LatencyCounts,
  sketch: 'firstToken' | 'total',
  now: number,
  halfLifeMs: number,
): number {
  return sketchWeight(counts[sketch]) * decayFactor(counts.updatedAt, now, halfLifeMs);
}
