import { describe, expect, it } from 'vitest';
import { defaultCircuitConfig as config } from './circuit-config.ts';
import { closedCircuitState, type CircuitState } from './circuit-state.ts';
import { circuitHealthView, circuitStatusAt } from './circuit-status.ts';
import { transition } from './circuit-transition.ts';

function opened(): CircuitState {
  return transition(
    closedCircuitState(),
    { type: 'failure', kind: 'rate_limited', retryAfterMs: 10_000 },
    0,
    config,
  );
}

describe('circuitStatusAt', () => {
  it('reads an open circuit as open during its cooldown and as half-open once it has elapsed', () => {
    const state = opened();
    expect(circuitStatusAt(state, 9_999, config)).toBe('open');
    expect(circuitStatusAt(state, 10_000, config)).toBe('half-open');
    expect(state.status).toBe('open');
  });

  it('reads closed and half-open circuits as they are', () => {
    expect(circuitStatusAt(closedCircuitState(), 0)).toBe('closed');
    const halfOpen = transition(opened(), { type: 'attempt-start' }, 10_000, config);
    expect(circuitStatusAt(halfOpen, 10_001)).toBe('half-open');
  });
});

describe('circuitHealthView', () => {
  it('tells selection each model’s status at the given time, and closed for a model never seen', () => {
    const circuits = new Map([
      ['gpt-down', opened()],
      ['gpt-fine', closedCircuitState()],
    ]);
    expect(circuitHealthView(circuits, 5_000).circuitOf('gpt-down')).toBe('open');
    expect(circuitHealthView(circuits, 10_000).circuitOf('gpt-down')).toBe('half-open');
    expect(circuitHealthView(circuits, 5_000).circuitOf('gpt-fine')).toBe('closed');
    expect(circuitHealthView(circuits, 5_000).circuitOf('brand-new-model')).toBe('closed');
  });
});
