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
});
