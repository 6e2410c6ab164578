import { describe, expect, it } from 'vitest';
import type { ProviderErrorKind } from '../spec/provider-error.ts';
import { admitAttempt } from './circuit-admission.ts';
import { defaultCircuitConfig as config } from './circuit-config.ts';
import type { CircuitEvent } from './circuit-event.ts';
import { circuitStateSchema, closedCircuitState, type CircuitState } from './circuit-state.ts';
import { circuitStatusAt } from './circuit-status.ts';
import { transition } from './circuit-transition.ts';

const serverError: CircuitEvent = { type: 'failure', kind: 'server' };
const success: CircuitEvent = { type: 'success' };

/** Applies events one millisecond apart, the first at `start`. */
function run(events: readonly CircuitEvent[], start = 0, state = closedCircuitState()): CircuitState {
  return events.reduce((current, event, index) => transition(current, event, start + index, config), state);
}

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}

/** A circuit opened by consecutive failures at time `at`. */
function openedAt(at: number): CircuitState {
  return repeat(serverError, config.consecutiveFailureThreshold).reduce(
    (current, event) => transition(current, event, at, config),
    closedCircuitState(),
  );
}

/** Lets the cooldown pass, runs one probe with `outcome`, and returns the state after it. */
function probe(state: CircuitState, outcome: CircuitEvent): { state: CircuitState; at: number } {
  const at = state.openUntil ?? 0;
  const admission = admitAttempt(state, at, config);
  expect(admission).toMatchObject({ admitted: true, reason: 'probe' });
  return { state: transition(admission.state, outcome, at + 100, config), at: at + 100 };
}

describe('transition: opening on consecutive failures', () => {
  it('stays closed below the threshold and opens on the Nth failure in a row', () => {
    const almost = run(repeat(serverError, config.consecutiveFailureThreshold - 1));
    expect(almost.status).toBe('closed');
    expect(almost.consecutiveFailures).toBe(config.consecutiveFailureThreshold - 1);

    const opened = transition(almost, serverError, 10, config);
    expect(opened).toMatchObject({ status: 'open', openReason: 'consecutive-failures', openCount: 1 });
    expect(opened.openedAt).toBe(10);
    expect(opened.openUntil).toBe(10 + config.baseCooldownMs);
  });

  it('a success breaks the run, so failures on either side of it do not add up', () => {
    const failures = repeat(serverError, config.consecutiveFailureThreshold - 1);
    const state = run([...failures, success, ...failures]);
    expect(state.status).toBe('closed');
    expect(state.consecutiveFailures).toBe(config.consecutiveFailureThreshold - 1);
  });
});

describe('transition: opening on the failure rate', () => {
  it('opens at the threshold rate over the window without any two failures in a row', () => {
    // Ten attempts, every other one failing: 50 % over the window, never two failures in a row.
    const alternating = Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? success : serverError));
    const beforeLast = run(alternating.slice(0, 9));
    expect(beforeLast.status).toBe('closed');
    const state = run(alternating);
    expect(state).toMatchObject({ status: 'open', openReason: 'failure-rate' });
  });

  it('needs the minimum number of attempts before a rate can open the circuit', () => {
    // 5 failures out of 9 (56 %), with a success between each: too few attempts to judge.
    const events = Array.from({ length: 9 }, (_, index) => (index % 2 === 0 ? serverError : success));
    expect(run(events).status).toBe('closed');
  });

  it('stays closed when the rate is below the threshold', () => {
    const events = Array.from({ length: 20 }, (_, index) => (index % 3 === 0 ? serverError : success));
    expect(run(events).status).toBe('closed');
  });

  it('forgets outcomes older than the window', () => {
    // Eight alternating outcomes, then the window passes, then one success and one failure:
    // counted together they would be 5 failures out of 10, but the first eight have expired.
    const early = Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? success : serverError));
    const afterEarly = run(early);
    const later = config.failureRateWindowMs + 1_000;
    const state = run([success, serverError], later, afterEarly);
    expect(state.status).toBe('closed');
    expect(state.recentOutcomes.every((bucket) => bucket.startMs > later - config.failureRateWindowMs)).toBe(
      true,
    );

    const sameWithinWindow = run([success, serverError], 1_000, afterEarly);
    expect(sameWithinWindow.status).toBe('open');
  });
});

describe('transition: open, half-open and the probe', () => {
  it('refuses attempts until the cooldown has passed, then admits exactly one probe', () => {
    const opened = openedAt(1_000);
    const openUntil = 1_000 + config.baseCooldownMs;
    expect(admitAttempt(opened, 1_000, config)).toMatchObject({
      admitted: false,
      reason: 'open',
      retryAt: openUntil,
    });
    expect(admitAttempt(opened, openUntil - 1, config).admitted).toBe(false);

    const first = admitAttempt(opened, openUntil, config);
    expect(first).toMatchObject({ admitted: true, reason: 'probe' });
    expect(first.state).toMatchObject({
      status: 'half-open',
      probeInFlight: true,
      probeStartedAt: openUntil,
    });

    const second = admitAttempt(first.state, openUntil + 5, config);
    expect(second).toMatchObject({ admitted: false, reason: 'probe-in-flight' });
  });

  it('attempt-start claims the probe slot just as admitAttempt does', () => {
    const opened = openedAt(0);
    const claimed = transition(opened, { type: 'attempt-start' }, config.baseCooldownMs, config);
    expect(claimed).toMatchObject({ status: 'half-open', probeInFlight: true });
    expect(admitAttempt(claimed, config.baseCooldownMs + 1, config).admitted).toBe(false);
  });

  it('a successful probe closes the circuit with no history', () => {
    const { state } = probe(openedAt(0), success);
    expect(state).toEqual(closedCircuitState());
    expect(admitAttempt(state, 0, config)).toMatchObject({ admitted: true, reason: 'closed' });
  });

  it('a failed probe re-opens with a longer cooldown', () => {
    const { state, at } = probe(openedAt(0), serverError);
    expect(state).toMatchObject({ status: 'open', openReason: 'probe-failed', openCount: 2, openedAt: at });
    expect(state.openUntil).toBe(at + config.baseCooldownMs * config.cooldownMultiplier);
  });

  it('grows the cooldown as base × multiplier^(n−1) on each re-opening, up to the cap', () => {
    let state = openedAt(0);
    const cooldowns = [(state.openUntil ?? 0) - (state.openedAt ?? 0)];
    for (let opening = 2; opening <= 9; opening += 1) {
      state = probe(state, serverError).state;
      cooldowns.push((state.openUntil ?? 0) - (state.openedAt ?? 0));
    }
    expect(cooldowns).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('a successful probe resets the growth: the next opening starts from the base cooldown again', () => {
    let state = openedAt(0);
    state = probe(state, serverError).state;
    state = probe(state, serverError).state;
    const closed = probe(state, success);
    expect(closed.state.status).toBe('closed');
    const reopened = repeat(serverError, config.consecutiveFailureThreshold).reduce(
      (current, event) => transition(current, event, closed.at + 1, config),
      closed.state,
    );
    expect(reopened).toMatchObject({
      status: 'open',
      openCount: 1,
      openUntil: closed.at + 1 + config.baseCooldownMs,
    });
  });

  it('late outcomes while open change nothing: a success does not cut the cooldown short', () => {
    const opened = openedAt(0);
    expect(transition(opened, success, 10, config)).toEqual(opened);
    expect(transition(opened, serverError, 10, config)).toEqual(opened);
  });

  it('an outcome after the cooldown counts as the probe outcome even if nothing was admitted', () => {
    const opened = openedAt(0);
    expect(transition(opened, success, config.baseCooldownMs, config).status).toBe('closed');
    expect(transition(opened, serverError, config.baseCooldownMs, config)).toMatchObject({
      status: 'open',
      openCount: 2,
    });
  });

  it('frees the slot of a probe that was never reported once probeTimeoutMs has passed', () => {
    const claimed = admitAttempt(openedAt(0), config.baseCooldownMs, config).state;
    const before = admitAttempt(claimed, config.baseCooldownMs + config.probeTimeoutMs - 1, config);
    expect(before).toMatchObject({
      admitted: false,
      reason: 'probe-in-flight',
      retryAt: config.baseCooldownMs + config.probeTimeoutMs,
    });
    const after = admitAttempt(claimed, config.baseCooldownMs + config.probeTimeoutMs, config);
    expect(after).toMatchObject({ admitted: true, reason: 'probe' });
  });

  it('reset returns to a closed circuit with no history', () => {
    const { state } = probe(openedAt(0), serverError);
    expect(transition(state, { type: 'reset' }, 1, config)).toEqual(closedCircuitState());
  });
});

describe('transition: Retry-After', () => {
  it.each(['rate_limited', 'overloaded'] as const)(
    'a single %s failure with a long Retry-After opens at once, until now + Retry-After',
    (kind) => {
      const state = transition(
        closedCircuitState(),
        { type: 'failure', kind, retryAfterMs: 60_000 },
        100,
        config,
      );
      expect(state).toMatchObject({ status: 'open', openReason: 'retry-after', openUntil: 100 + 60_000 });
      expect(admitAttempt(state, 100 + 59_999, config).admitted).toBe(false);
      expect(admitAttempt(state, 100 + 60_000, config).admitted).toBe(true);
    },
  );

  it('a Retry-After shorter than the threshold counts as an ordinary failure', () => {
    const event: CircuitEvent = { type: 'failure', kind: 'rate_limited', retryAfterMs: 500 };
    const state = transition(closedCircuitState(), event, 0, config);
    expect(state).toMatchObject({ status: 'closed', consecutiveFailures: 1 });
  });

  it('a Retry-After on other kinds does not open alone but is honoured when the circuit opens', () => {
    const alone = transition(
      closedCircuitState(),
      { type: 'failure', kind: 'server', retryAfterMs: 30_000 },
      0,
      config,
    );
    expect(alone.status).toBe('closed');

    const failures = repeat(serverError, config.consecutiveFailureThreshold - 1);
    const opened = transition(
      run(failures),
      { type: 'failure', kind: 'server', retryAfterMs: 30_000 },
      50,
      config,
    );
    expect(opened).toMatchObject({
      status: 'open',
      openReason: 'consecutive-failures',
      openUntil: 50 + 30_000,
    });
  });

  it('keeps the longer of cooldown and Retry-After', () => {
    let state = openedAt(0);
    for (let opening = 2; opening <= 5; opening += 1) state = probe(state, serverError).state;
    expect(state.openCount).toBe(5);
    const { state: reopened, at } = probe(state, {
      type: 'failure',
      kind: 'rate_limited',
      retryAfterMs: 2_000,
    });
    expect(reopened.openUntil).toBe(at + 160_000);
  });

  it('a failed probe with a long Retry-After stays open until then', () => {
    const { state, at } = probe(openedAt(0), { type: 'failure', kind: 'overloaded', retryAfterMs: 120_000 });
    expect(state).toMatchObject({ status: 'open', openCount: 2, openUntil: at + 120_000 });
  });

  it('a Retry-After arriving while open pushes openUntil out, never in', () => {
    const opened = openedAt(0);
    const later = transition(
      opened,
      { type: 'failure', kind: 'rate_limited', retryAfterMs: 90_000 },
      1_000,
      config,
    );
    expect(later.openUntil).toBe(91_000);
    const shorter = transition(
      later,
      { type: 'failure', kind: 'rate_limited', retryAfterMs: 2_000 },
      2_000,
      config,
    );
    expect(shorter.openUntil).toBe(91_000);
  });

  it('honours Retry-After only up to maxRetryAfterMs', () => {
    const tenHours = 36_000_000;
    const state = transition(
      closedCircuitState(),
      { type: 'failure', kind: 'rate_limited', retryAfterMs: tenHours },
      0,
      config,
    );
    expect(state.openUntil).toBe(config.maxRetryAfterMs);
  });
});

describe('transition: failures that are not about the model', () => {
  const requestKinds: ProviderErrorKind[] = [
    'auth',
    'content_filter',
    'context_length',
    'bad_request',
    'aborted',
    'prefill_unsupported',
  ];

  it.each(requestKinds)('%s never opens a circuit and is not counted', (kind) => {
    const state = run(repeat<CircuitEvent>({ type: 'failure', kind, retryAfterMs: 60_000 }, 50));
    expect(state).toEqual(closedCircuitState());
  });

  it.each(requestKinds)('%s does not break or extend a run of health failures', (kind) => {
    const failures = repeat(serverError, config.consecutiveFailureThreshold - 1);
    const state = run([...failures, { type: 'failure', kind }, serverError]);
    expect(state.status).toBe('open');
  });

  it.each(requestKinds)(
    '%s ending a half-open probe keeps the circuit half-open and frees the slot',
    (kind) => {
      const claimed = admitAttempt(openedAt(0), config.baseCooldownMs, config).state;
      const state = transition(claimed, { type: 'failure', kind }, config.baseCooldownMs + 10, config);
      expect(state).toMatchObject({ status: 'half-open', probeInFlight: false, openCount: 1 });
      expect(admitAttempt(state, config.baseCooldownMs + 11, config)).toMatchObject({
        admitted: true,
        reason: 'probe',
      });
    },
  );

  it.each(requestKinds)('%s while open neither closes nor extends the circuit', (kind) => {
    const opened = openedAt(0);
    expect(transition(opened, { type: 'failure', kind, retryAfterMs: 600_000 }, 10, config)).toEqual(opened);
  });

  it('every other kind counts towards opening', () => {
    const healthKinds: ProviderErrorKind[] = [
      'rate_limited',
      'overloaded',
      'server',
      'timeout',
      'network',
      'stream_cut',
      'stream_stall',
      'malformed_response',
    ];
    for (const kind of healthKinds) {
      const state = run(repeat<CircuitEvent>({ type: 'failure', kind }, config.consecutiveFailureThreshold));
      expect(circuitStatusAt(state, config.consecutiveFailureThreshold, config), kind).toBe('open');
    }
  });
});

describe('circuit state storage', () => {
  it('survives a JSON round trip unchanged, as it must when shared through Redis', () => {
    const { state } = probe(openedAt(0), serverError);
    const claimed = admitAttempt(state, state.openUntil ?? 0, config).state;
    const busy = run(Array.from({ length: 7 }, (_, index) => (index % 2 === 0 ? success : serverError)));
    for (const value of [closedCircuitState(), state, claimed, busy]) {
      const readBack: unknown = JSON.parse(JSON.stringify(value));
      expect(readBack).toEqual(value);
      expect(circuitStateSchema.parse(readBack)).toEqual(value);
    }
  });

  it('the storage schema rejects a state written by something else', () => {
    expect(circuitStateSchema.safeParse({ status: 'open' }).success).toBe(false);
    expect(circuitStateSchema.safeParse({ ...closedCircuitState(), status: 'tripped' }).success).toBe(false);
    expect(circuitStateSchema.safeParse({ ...closedCircuitState(), openCount: -1 }).success).toBe(false);
  });
});
