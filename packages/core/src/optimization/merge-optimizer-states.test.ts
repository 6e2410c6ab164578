import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { taskTypes } from '../context/therapeutic-context.ts';
import { sketchQuantile, sketchWeight } from './latency-sketch.ts';
import { mergeOptimizerStates } from './merge-optimizer-states.ts';
import { serializeOptimizerState, type SerializedOptimizerState } from './optimizer-serialization.ts';
import { createOptimizerState, type OptimizerState } from './optimizer-state.ts';
import { recordOutcome } from './record-outcome.ts';
import { recordQuality } from './record-quality.ts';

type Event =
  | {
      kind: 'outcome';
      modelId: string;
      taskType: (typeof taskTypes)[number];
      now: number;
      ok: boolean;
      firstToken: number;
      total: number;
      tokens: number;
    }
  | { kind: 'quality'; modelId: string; taskType: (typeof taskTypes)[number]; now: number; score: number };

const eventArbitrary: fc.Arbitrary<Event> = fc.oneof(
  fc.record({
    kind: fc.constant('outcome' as const),
    modelId: fc.constantFrom('a', 'b', 'c'),
    taskType: fc.constantFrom('dialogue_generation', 'safety_screening'),
    now: fc.integer({ min: 0, max: 3 * 3_600_000 }),
    ok: fc.boolean(),
    firstToken: fc.integer({ min: 20, max: 5_000 }),
    total: fc.integer({ min: 0, max: 20_000 }),
    tokens: fc.integer({ min: 0, max: 2_000 }),
  }),
  fc.record({
    kind: fc.constant('quality' as const),
    modelId: fc.constantFrom('a', 'b', 'c'),
    taskType: fc.constantFrom('dialogue_generation', 'safety_screening'),
    now: fc.integer({ min: 0, max: 3 * 3_600_000 }),
    score: fc.integer({ min: 0, max: 100 }).map((score) => score / 100),
  }),
);

function apply(state: OptimizerState, event: Event): void {
  const { modelId, taskType, now } = event;
  if (event.kind === 'quality') {
    recordQuality(state, { modelId, taskType, now, signal: { type: 'feedback', score: event.score } });
    return;
  }
  recordOutcome(state, {
    modelId,
    taskType,
    now,
    ok: event.ok,
    errorKind: event.ok ? undefined : 'timeout',
    timeToFirstTokenMs: event.firstToken,
    totalMs: event.firstToken + event.total,
    outputTokens: event.tokens,
  });
}

function stateOf(events: readonly Event[]): OptimizerState {
  const state = createOptimizerState();
  for (const event of events) apply(state, event);
  return state;
}

/** Equal up to rounding and to the negligible weights (below 1e-9 of an event) that decay drops. */
const close = (actual: number, expected: number, label: string, unit = 1) =>
  expect(Math.abs(actual - expected), label).toBeLessThanOrEqual(1e-8 * unit + 1e-9 * Math.abs(expected));

/**
 * Compares two serialised states to floating-point rounding: counts to a tolerance, sketches by
 * weight and by quantiles (a bucket holding a negligible weight may be kept in one and dropped in
 * the other, which changes no estimate).
 */
function expectSameState(actual: SerializedOptimizerState, expected: SerializedOptimizerState): void {
  expect(actual.cells.map((cell) => `${cell.taskType}/${cell.modelId}`)).toEqual(
    expected.cells.map((cell) => `${cell.taskType}/${cell.modelId}`),
  );
  actual.cells.forEach((cell, index) => {
    const other = expected.cells[index]!;
    const label = `${cell.taskType}/${cell.modelId}`;
    for (const field of ['successes', 'failures'] as const)
      close(cell.quality[field], other.quality[field], `${label} ${field}`);
    for (const field of ['attempts', 'errors'] as const)
      close(cell.reliability[field], other.reliability[field], `${label} ${field}`);
    close(cell.latency.throughputSamples, other.latency.throughputSamples, `${label} samples`);
    // Tokens and milliseconds per answer run to thousands: the same negligible weight, in their units.
    close(cell.latency.outputTokens, other.latency.outputTokens, `${label} tokens`, 1e4);
    close(cell.latency.generationMs, other.latency.generationMs, `${label} generation`, 1e5);
    for (const sketch of ['firstToken', 'total'] as const) {
      const weight = sketchWeight(cell.latency[sketch]);
      close(weight, sketchWeight(other.latency[sketch]), `${label} ${sketch} weight`);
      if (weight < 1e-6) continue;
      for (const quantile of [0.05, 0.5, 0.95]) {
        expect(sketchQuantile(cell.latency[sketch], quantile), `${label} ${sketch} p${quantile}`).toBe(
          sketchQuantile(other.latency[sketch], quantile),
        );
      }
    }
  });
}

const runs = { numRuns: 150 };
const eventsArbitrary = fc.array(eventArbitrary, { maxLength: 40 });

describe('mergeOptimizerStates', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(eventsArbitrary, eventsArbitrary, (first, second) => {
        const left = serializeOptimizerState(mergeOptimizerStates(stateOf(first), stateOf(second)));
        const right = serializeOptimizerState(mergeOptimizerStates(stateOf(second), stateOf(first)));
        expect(left).toEqual(right);
      }),
      runs,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(eventsArbitrary, eventsArbitrary, eventsArbitrary, (first, second, third) => {
        const [a, b, c] = [stateOf(first), stateOf(second), stateOf(third)];
        expectSameState(
          serializeOptimizerState(mergeOptimizerStates(mergeOptimizerStates(a, b), c)),
          serializeOptimizerState(mergeOptimizerStates(a, mergeOptimizerStates(b, c))),
        );
      }),
      runs,
    );
  });

  it('gives what one host would have learned from both hosts’ events, in any order', () => {
    fc.assert(
      fc.property(eventsArbitrary, eventsArbitrary, (first, second) => {
        const everything = [...first, ...second].sort((x, y) => x.now - y.now);
        expectSameState(
          serializeOptimizerState(mergeOptimizerStates(stateOf(first), stateOf(second))),
          serializeOptimizerState(stateOf(everything)),
        );
      }),
      runs,
    );
  });

  it('leaves both inputs unchanged', () => {
    const first = stateOf([
      { kind: 'quality', modelId: 'a', taskType: 'dialogue_generation', now: 0, score: 1 },
    ]);
    const second = stateOf([
      { kind: 'quality', modelId: 'a', taskType: 'dialogue_generation', now: 3_600_000, score: 0 },
    ]);
    const before = [serializeOptimizerState(first), serializeOptimizerState(second)];
    const merged = mergeOptimizerStates(first, second);
    expect([serializeOptimizerState(first), serializeOptimizerState(second)]).toEqual(before);
    // One hour later the first host's praise weighs half: α = 0.5, β = 1; in the 10-minute short
    // memory, six half-lives have passed: 1/64. Squared signal weights decay by the squared factor.
    const cell = serializeOptimizerState(merged).cells[0]!;
    expect(cell.quality).toEqual({
      updatedAt: 3_600_000,
      successes: 0.5,
      failures: 1,
      recentSuccesses: 1 / 64,
      recentFailures: 1,
      squaredWeights: 0.25 + 1,
      recentSquaredWeights: 1 / 4096 + 1,
    });
  });

  it('refuses states discounted at different rates', () => {
    const slow = createOptimizerState({ halfLives: { qualityMs: 7_200_000 } });
    expect(() => mergeOptimizerStates(createOptimizerState(), slow)).toThrow(/same half-lives/);
    const quick = createOptimizerState({ halfLives: { recentQualityMs: 60_000 } });
    expect(() => mergeOptimizerStates(createOptimizerState(), quick)).toThrow(/same half-lives/);
  });
});
