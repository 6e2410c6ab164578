import { describe, expect, it } from 'vitest';
import { SwitchboardValidationError } from '../validation.ts';
import { testModel, testSnapshot } from '../selection/testing/test-registry.ts';
import { deserializeOptimizerState, serializeOptimizerState } from './optimizer-serialization.ts';
import { createOptimizerState, type OptimizerState } from './optimizer-state.ts';
import { statsView } from './optimizer-stats-view.ts';
import { recordOutcome } from './record-outcome.ts';
import { recordQuality } from './record-quality.ts';

function learnedState(): OptimizerState {
  const state = createOptimizerState();
  for (let index = 0; index < 50; index++) {
    const now = index * 10_000;
    recordOutcome(state, {
      modelId: index % 2 === 0 ? 'a' : 'b',
      taskType: index % 3 === 0 ? 'narrative_generation' : 'dialogue_generation',
      now,
      ok: index % 7 !== 0,
      errorKind: index % 7 === 0 ? 'overloaded' : undefined,
      timeToFirstTokenMs: 200 + 13 * index,
      totalMs: 2_000 + 40 * index,
      outputTokens: 150,
    });
    recordQuality(state, {
      modelId: 'a',
      taskType: 'dialogue_generation',
      now,
      signal: { type: 'continued' },
    });
  }
  return state;
}

function expectRejected(input: unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    deserializeOptimizerState(input);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SwitchboardValidationError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).toMatch(/start from createOptimizerState\(\)/);
}

describe('optimiser state serialisation', () => {
  it('round-trips through JSON text: the same state, the same statistics', () => {
    const state = learnedState();
    const json = JSON.stringify(serializeOptimizerState(state));
    const restored = deserializeOptimizerState(json);
    expect(serializeOptimizerState(restored)).toEqual(serializeOptimizerState(state));
    const snapshot = testSnapshot({ models: [testModel('a'), testModel('b')] });
    for (const modelId of ['a', 'b']) {
      expect(statsView(restored, snapshot, 600_000).statsOf(modelId, 'dialogue_generation')).toEqual(
        statsView(state, snapshot, 600_000).statsOf(modelId, 'dialogue_generation'),
      );
    }
    expect(deserializeOptimizerState(JSON.parse(json))).toEqual(restored);
  });

  it('serialises in a canonical order and shares nothing with the state', () => {
    const state = learnedState();
    const serialized = serializeOptimizerState(state);
    expect(serialized.version).toBe(1);
    expect(serialized.cells.map((cell) => `${cell.taskType}/${cell.modelId}`)).toEqual([
      'narrative_generation/a',
      'narrative_generation/b',
      'dialogue_generation/a',
      'dialogue_generation/b',
    ]);
    serialized.cells[0]!.latency.firstToken.counts[0] = 1e9;
    expect(serializeOptimizerState(state).cells[0]!.latency.firstToken.counts[0]).not.toBe(1e9);
  });

  it('reads a state written before quality change detection, with no short memory in it', () => {
    const current = serializeOptimizerState(learnedState());
    const older = structuredClone(current) as unknown as {
      halfLives: Record<string, number>;
      cells: { quality: Record<string, number> }[];
    };
    delete older.halfLives.recentQualityMs;
    for (const cell of older.cells) {
      delete cell.quality.recentSuccesses;
      delete cell.quality.recentFailures;
    }
    const restored = deserializeOptimizerState(JSON.stringify(older));
    expect(restored.halfLives).toEqual(createOptimizerState().halfLives);
    const quality = restored.cells.get('dialogue_generation')!.get('a')!.quality;
    expect(quality).toEqual({
      ...current.cells.find((cell) => cell.taskType === 'dialogue_generation' && cell.modelId === 'a')!
        .quality,
      recentSuccesses: 0,
      recentFailures: 0,
    });
  });

  it('reads a state written before signal weights were tracked, judging its evidence as before', () => {
    const current = serializeOptimizerState(learnedState());
    const older = structuredClone(current) as unknown as { cells: { quality: Record<string, number> }[] };
    for (const cell of older.cells) {
      delete cell.quality.squaredWeights;
      delete cell.quality.recentSquaredWeights;
    }
    const quality = deserializeOptimizerState(JSON.stringify(older))
      .cells.get('dialogue_generation')!
      .get('a')!.quality;
    // Every unit of evidence counts as one observation: the precision such states were read with.
    expect(quality.squaredWeights).toBeCloseTo(quality.successes + quality.failures, 12);
    expect(quality.recentSquaredWeights).toBeCloseTo(quality.recentSuccesses + quality.recentFailures, 12);
    // Recorded as they are now, the quarter-weight signals are known to weigh less than that.
    const recorded = learnedState().cells.get('dialogue_generation')!.get('a')!.quality;
    expect(recorded.squaredWeights).toBeLessThan(0.3 * (recorded.successes + recorded.failures));
  });

  it('refuses a corrupt state with a message naming the bad field', () => {
    const good = serializeOptimizerState(learnedState());
    const corrupt = (change: (copy: typeof good) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return copy;
    };
    expectRejected(
      corrupt((copy) => (copy.cells[0]!.quality.successes = -1)),
      /cells\.0\.quality\.successes/,
    );
    expectRejected(
      corrupt((copy) => (copy.cells[1]!.reliability.errors = 1e6)),
      /errors must not exceed attempts/,
    );
    expectRejected(
      corrupt((copy) => (copy.cells[0]!.latency.total.offset = 10_000)),
      /bucket indices must lie in/,
    );
    expectRejected(
      corrupt((copy) => copy.cells.push(copy.cells[0]!)),
      /a second cell for model "a"/,
    );
    expectRejected(
      corrupt((copy) => ((copy.cells[0] as { taskType: string }).taskType = 'poetry')),
      /taskType/,
    );
    expectRejected(
      corrupt((copy) => (copy.halfLives.qualityMs = 0)),
      /halfLives\.qualityMs/,
    );
    expectRejected(
      corrupt((copy) => (copy.halfLives.recentQualityMs = copy.halfLives.qualityMs * 2)),
      /recentQualityMs must not exceed qualityMs/,
    );
    expectRejected({ ...good, version: 2 }, /version 2 is not one this Switchboard reads/);
    expectRejected('{"version": 1, "cells": [', /not JSON/);
    expectRejected(null, /Invalid optimiser state/);
  });
});
