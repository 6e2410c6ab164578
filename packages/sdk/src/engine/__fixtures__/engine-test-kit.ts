/**
 * Shorthands over the engine fixtures for the `execute-*` tests, so each test states only the
 * models and behaviours it is about instead of rebuilding the same adapter map.
 */
import type { ChatModelAdapterV1 } from '@switchboard/core';
import type { SimulatedAdapterOptions, VirtualClock } from '@switchboard/provider-sim';
import type { EngineClock } from '../engine-clock.ts';
import { sim, testRun, virtualTime, type TestRun } from './engine-fixtures.ts';

/**
 * Simulated adapters keyed by model id, in the order given: `{ a: 'healthy', b: 'never-answers' }`
 * gives model `a` a healthy simulation and `b` a silent one, all sharing `options` (e.g. a clock).
 */
export function simAdapters(
  behaviours: Record<string, string>,
  options: Omit<SimulatedAdapterOptions, 'behaviour' | 'modelId'> = {},
): Map<string, ChatModelAdapterV1> {
  return new Map(
    Object.entries(behaviours).map(([modelId, behaviour]) => [modelId, sim(modelId, behaviour, options)]),
  );
}

/** A test run on a virtual clock that the engine and its simulated models share. */
export interface VirtualTestRun extends TestRun {
  /** The clock the simulated models sleep on; advancing it moves the whole run. */
  virtual: VirtualClock;
  /** The engine's view of `virtual`, passed to every `execute` unless a test gives its own. */
  clock: EngineClock;
  /** `simAdapters` whose models run on this run's virtual clock. */
  simAdapters(behaviours: Record<string, string>): Map<string, ChatModelAdapterV1>;
}

/** `testRun()` on a fresh `virtualTime()`, so time in the run is exact and free. */
export function virtualRun(): VirtualTestRun {
  const { virtual, clock } = virtualTime();
  const run = testRun();
  return {
    ...run,
    virtual,
    clock,
    execute: (options) => run.execute({ clock, ...options }),
    simAdapters: (behaviours) => simAdapters(behaviours, { clock: virtual }),
  };
}
