import { closedCircuitState, defaultCircuitConfig, transition } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { isCircuitTransition } from './circuit-change.ts';

describe('isCircuitTransition', () => {
  const closed = closedCircuitState();
  const failure = { type: 'failure', kind: 'server' } as const;

  it('ignores counting while closed: another failure is not news for the fleet', () => {
    const counted = transition(closed, failure, 1_000, defaultCircuitConfig);
    expect(counted.consecutiveFailures).toBe(1);
    expect(isCircuitTransition(closed, counted)).toBe(false);
  });

  it('reports opening, a longer cooldown and closing', () => {
    const opened = transition(
      closed,
      { type: 'failure', kind: 'overloaded', retryAfterMs: 30_000 },
      1_000,
      defaultCircuitConfig,
    );
    expect(isCircuitTransition(closed, opened)).toBe(true);
    const longer = transition(
      opened,
      { type: 'failure', kind: 'overloaded', retryAfterMs: 60_000 },
      2_000,
      defaultCircuitConfig,
    );
    expect(longer.openUntil).toBeGreaterThan(opened.openUntil!);
    expect(isCircuitTransition(opened, longer)).toBe(true);
    expect(isCircuitTransition(longer, closedCircuitState())).toBe(true);
  });

  it('reports the half-open trial being claimed, so that other instances hold back', () => {
    const opened = { ...closed, status: 'open' as const, openedAt: 0, openUntil: 10, openCount: 1 };
    expect(isCircuitTransition(opened, { ...opened, probeInFlight: true, probeStartedAt: 11 })).toBe(true);
  });
});
