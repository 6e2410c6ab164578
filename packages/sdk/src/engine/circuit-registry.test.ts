import { describe, expect, it } from 'vitest';
import { defaultCircuitConfig } from '@switchboard/core';
import { createInMemoryCircuitRegistry } from './circuit-registry.ts';

describe('createInMemoryCircuitRegistry', () => {
  it('admits a model it has never seen and keeps no state for it', () => {
    const circuits = createInMemoryCircuitRegistry();
    expect(circuits.admit('new-model', 0)).toMatchObject({ admitted: true, reason: 'closed' });
    expect(circuits.statusOf('new-model', 0)).toBe('closed');
  });

  it('opens after repeated failures, admits one probe after the cooldown, and closes on its success', () => {
    const circuits = createInMemoryCircuitRegistry();
    for (let index = 0; index < defaultCircuitConfig.consecutiveFailureThreshold; index += 1) {
      circuits.report('a', { type: 'failure', kind: 'server' }, 0);
    }
    expect(circuits.admit('a', 1)).toMatchObject({ admitted: false, reason: 'open' });
    const later = defaultCircuitConfig.baseCooldownMs;
    expect(circuits.healthView(later).circuitOf('a')).toBe('half-open');
    expect(circuits.admit('a', later)).toMatchObject({ admitted: true, reason: 'probe' });
    expect(circuits.admit('a', later)).toMatchObject({ admitted: false, reason: 'probe-in-flight' });
    circuits.report('a', { type: 'success' }, later + 10);
    expect(circuits.statusOf('a', later + 10)).toBe('closed');
  });

  it('ignores failures that say nothing about the model', () => {
    const circuits = createInMemoryCircuitRegistry();
    for (let index = 0; index < 20; index += 1)
      circuits.report('a', { type: 'failure', kind: 'content_filter' }, index);
    expect(circuits.statusOf('a', 20)).toBe('closed');
  });
});
