import {
  allHealthy,
  defaultRegistrySnapshot,
  parseTherapeuticContext,
  select,
  statsFromPriors,
  type Decision,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createDecisionCache, isExploratoryDecision } from './decision-cache.ts';

const snapshot = defaultRegistrySnapshot();
const stats = statsFromPriors(snapshot);

function decide(riskLevel: 'none' | 'crisis' = 'crisis', seed = 1): Decision {
  return select({
    context: parseTherapeuticContext({ taskType: 'therapeutic_response', riskLevel }),
    request: { estimatedInputTokens: 500 },
    snapshot,
    health: allHealthy,
    stats,
    seed,
  });
}

function exploratoryDecision(): Decision {
  for (let seed = 0; seed < 10_000; seed++) {
    const decision = decide('none', seed);
    if (decision.explored) return decision;
  }
  throw new Error('no seed explored');
}

function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createDecisionCache', () => {
  it('returns the cached decision for its key', () => {
    const cache = createDecisionCache();
    cache.sync(snapshot.version, 0);
    const decision = decide();
    expect(cache.set('k', decision)).toBe(true);
    expect(cache.get('k')).toBe(decision);
    expect(cache.get('other')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('never stores an exploratory decision, so exploration is not repeated for a whole signature', () => {
    const cache = createDecisionCache();
    cache.sync(snapshot.version, 0);
    const explored = exploratoryDecision();
    expect(isExploratoryDecision(explored)).toBe(true);
    expect(cache.set('k', explored)).toBe(false);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats().refused).toBe(1);
  });

  it('empties itself when the snapshot version or the health epoch moves', () => {
    const cache = createDecisionCache();
    cache.sync(snapshot.version, 0);
    cache.set('k', decide());
    cache.sync(snapshot.version, 0);
    expect(cache.get('k')).toBeDefined();
    cache.sync(snapshot.version, 1);
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', decide());
    cache.sync(snapshot.version + 1, 1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats().invalidations).toBe(2);
  });

  it('refuses a decision selected under an older health epoch or another snapshot version', () => {
    const cache = createDecisionCache();
    cache.sync(snapshot.version, 3);
    expect(cache.set('k', decide(), 2)).toBe(false);
    cache.sync(snapshot.version + 1, 3);
    expect(cache.set('k', decide())).toBe(false);
    expect(cache.get('k')).toBeUndefined();
  });

  it('forgets the least recently used decision beyond maxEntries', () => {
    const cache = createDecisionCache({ maxEntries: 2 });
    cache.sync(snapshot.version, 0);
    const decision = decide();
    cache.set('a', decision);
    cache.set('b', decision);
    cache.get('a');
    cache.set('c', decision);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(decision);
    expect(cache.get('c')).toBe(decision);
  });

  it('stops reusing a decision after maxAgeMs even when nothing signalled a change', () => {
    const clock = manualClock();
    const cache = createDecisionCache({ maxAgeMs: 1000, clock });
    cache.sync(snapshot.version, 0);
    cache.set('k', decide());
    clock.advance(1000);
    expect(cache.get('k')).toBeDefined();
    clock.advance(1);
    expect(cache.get('k')).toBeUndefined();
  });
});
