import type { Decision } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { DecisionStore, type RememberedDecision } from './decision-store.ts';

function decision(decisionId: string): RememberedDecision {
  return {
    decisionId,
    modelId: 'sim/fast-small',
    taskType: 'general_chat',
    riskLevel: 'none',
    policyName: 'general_chat',
    snapshotVersion: 1,
    source: 'gateway',
  };
}

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('DecisionStore', () => {
  it('finds a decision until its retention time has passed', () => {
    const clock = clockAt(0);
    const sut = new DecisionStore(clock, { retentionMs: 60_000, maxEntries: 10 });
    sut.remember(decision('a'));
    clock.advance(60_000);
    expect(sut.find('a')?.modelId).toBe('sim/fast-small');
    clock.advance(1);
    expect(sut.find('a')).toBeUndefined();
    expect(sut.size).toBe(0);
    expect(sut.retentionMinutes).toBe(1);
  });

  it('forgets the oldest first beyond its capacity', () => {
    const sut = new DecisionStore(clockAt(0), { retentionMs: 60_000, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) sut.remember(decision(id));
    expect(sut.find('a')).toBeUndefined();
    expect(sut.find('b')).toBeDefined();
    expect(sut.find('c')).toBeDefined();
  });

  it('keeps a decision remembered again from its latest time', () => {
    const clock = clockAt(0);
    const sut = new DecisionStore(clock, { retentionMs: 1_000, maxEntries: 10 });
    sut.remember(decision('a'));
    clock.advance(800);
    sut.remember({ ...decision('a'), modelId: 'sim/local' });
    clock.advance(800);
    expect(sut.find('a')?.modelId).toBe('sim/local');
  });

  it('lists the newest decisions first, at most the limit asked for', () => {
    const clock = clockAt(1_000);
    const sut = new DecisionStore(clock);
    for (const id of ['a', 'b', 'c']) {
      sut.remember(decision(id));
      clock.advance(10);
    }
    const listed = sut.recent(2);
    expect(listed.map((kept) => kept.decision.decisionId)).toEqual(['c', 'b']);
    expect(listed[0]?.rememberedAt).toBe(1_020);
  });

  it('keeps full explanations only for the newest decisions, and the decisions themselves longer', () => {
    const sut = new DecisionStore(clockAt(0), { explanationCapacity: 2 });
    const explanation = { summary: 'picked fault/healthy' } as Decision;
    for (const id of ['a', 'b', 'c']) sut.remember({ ...decision(id), explanation });
    expect(sut.findKept('a')?.decision.explanation).toBeUndefined();
    expect(sut.findKept('a')?.decision.modelId).toBe('sim/fast-small');
    expect(sut.findKept('b')?.decision.explanation?.summary).toBe('picked fault/healthy');
    expect(sut.findKept('c')?.decision.explanation?.summary).toBe('picked fault/healthy');
  });

  it('keeps explanations for the newest when decisions are remembered again', () => {
    const sut = new DecisionStore(clockAt(0), { explanationCapacity: 2, maxEntries: 10 });
    const explanation = { summary: 'why' } as Decision;
    for (const id of ['a', 'b', 'c']) sut.remember({ ...decision(id), explanation });
    sut.remember({ ...decision('a'), explanation });
    expect(sut.findKept('a')?.decision.explanation?.summary).toBe('why');
    expect(sut.findKept('b')?.decision.explanation).toBeUndefined();
    expect(sut.findKept('c')?.decision.explanation?.summary).toBe('why');
    expect(sut.recent(3).map((kept) => kept.decision.decisionId)).toEqual(['a', 'c', 'b']);
  });

  it('does not change the decision object a caller passed when dropping its explanation', () => {
    const sut = new DecisionStore(clockAt(0), { explanationCapacity: 1 });
    const explanation = { summary: 'why' } as Decision;
    const passed = { ...decision('a'), explanation };
    sut.remember(passed);
    sut.remember({ ...decision('b'), explanation });
    expect(passed.explanation).toBe(explanation);
    expect(sut.findKept('a')?.decision).toEqual(decision('a'));
    expect(Object.keys(sut.findKept('a')!.decision)).not.toContain('explanation');
  });

  it('behaves like a map with age-ordered expiry over a long random run', () => {
    // A reference written the obvious way (what the store did before its queues), compared after
    // every step of a long pseudo-random sequence that re-remembers, expires and overflows.
    const options = { retentionMs: 500, maxEntries: 40, explanationCapacity: 7 };
    const clock = clockAt(0);
    const sut = new DecisionStore(clock, options);
    const reference = new Map<string, { modelId: string | null; at: number; explained: boolean }>();
    const expireReference = (): void => {
      for (const [id, entry] of reference) {
        if (clock.now() - entry.at <= options.retentionMs) break;
        reference.delete(id);
      }
    };
    let seed = 12345;
    const next = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    const explanation = { summary: 'why' } as Decision;
    for (let step = 0; step < 20_000; step += 1) {
      clock.advance(next(4));
      const id = `d${next(3_000) < 300 ? next(20) : step}`;
      const explained = next(2) === 0;
      const modelId = `m${step}`;
      sut.remember({ ...decision(id), modelId, ...(explained ? { explanation } : {}) });
      reference.delete(id);
      reference.set(id, { modelId, at: clock.now(), explained });
      expireReference();
      while (reference.size > options.maxEntries) reference.delete(reference.keys().next().value!);
      const explainedIds = [...reference].filter(([, entry]) => entry.explained).map(([key]) => key);
      for (const key of explainedIds.slice(0, -options.explanationCapacity)) {
        reference.get(key)!.explained = false;
      }
      if (step % 97 === 0) {
        expect(sut.size).toBe(reference.size);
        const listed = sut.recent(options.maxEntries).reverse();
        expect(listed.map((kept) => kept.decision.decisionId)).toEqual([...reference.keys()]);
        expect(listed.map((kept) => kept.decision.modelId)).toEqual(
          [...reference.values()].map((entry) => entry.modelId),
        );
        expect(listed.map((kept) => kept.decision.explanation !== undefined)).toEqual(
          [...reference.values()].map((entry) => entry.explained),
        );
      }
    }
  });
});
