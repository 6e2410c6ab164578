import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { providerErrorKinds, type ProviderErrorKind } from '../spec/provider-error.ts';
import { admitAttempt } from './circuit-admission.ts';
import type { CircuitConfig } from './circuit-config.ts';
import { defaultCircuitConfig } from './circuit-config.ts';
import type { CircuitEvent } from './circuit-event.ts';
import { circuitStateSchema, closedCircuitState, type CircuitState } from './circuit-state.ts';
import { circuitStatusAt } from './circuit-status.ts';
import { transition } from './circuit-transition.ts';
import { isHealthFailureKind } from './health-failure-kind.ts';

type Step = { advanceMs: number; action: { type: 'admit' } | CircuitEvent };

const configArbitrary: fc.Arbitrary<CircuitConfig> = fc
  .record({
    consecutiveFailureThreshold: fc.integer({ min: 1, max: 10 }),
    failureRateThreshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
    failureRateWindowMs: fc.integer({ min: 1_000, max: 60_000 }),
    failureRateMinimumAttempts: fc.integer({ min: 1, max: 20 }),
    windowBucketMs: fc.integer({ min: 100, max: 5_000 }),
    baseCooldownMs: fc.integer({ min: 1, max: 10_000 }),
    cooldownMultiplier: fc.double({ min: 1, max: 4, noNaN: true }),
    extraCapMs: fc.integer({ min: 0, max: 600_000 }),
    retryAfterOpenThresholdMs: fc.integer({ min: 0, max: 5_000 }),
    maxRetryAfterMs: fc.integer({ min: 1, max: 7_200_000 }),
    probeTimeoutMs: fc.integer({ min: 1, max: 300_000 }),
  })
  .map(({ extraCapMs, ...config }) => ({ ...config, maxCooldownMs: config.baseCooldownMs + extraCapMs }));

/** Mostly absent or modest; sometimes huge, negative or not a number, as broken headers give. */
const retryAfterArbitrary = fc.option(
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 20_000 }), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 50_000_000 }), weight: 1 },
    { arbitrary: fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY), weight: 1 },
  ),
  { nil: undefined, freq: 2 },
);

const healthKinds = providerErrorKinds.filter((kind) => isHealthFailureKind(kind));
const requestKinds = providerErrorKinds.filter((kind) => !isHealthFailureKind(kind));

/**
 * Random histories that reach every state often: health failures dominate so circuits open, long
 * gaps let cooldowns pass, and resets are rare so histories are not cut short.
 */
function stepsArbitrary(options: { retryAfter: boolean }): fc.Arbitrary<Step[]> {
  const failureOf = (kinds: readonly ProviderErrorKind[]) =>
    fc.record({
      type: fc.constant('failure' as const),
      kind: fc.constantFrom(...kinds),
      retryAfterMs: options.retryAfter ? retryAfterArbitrary : fc.constant(undefined),
    });
  const action = fc.oneof(
    { arbitrary: fc.constant({ type: 'admit' as const }), weight: 8 },
    { arbitrary: fc.constant({ type: 'attempt-start' as const }), weight: 2 },
    { arbitrary: fc.constant({ type: 'success' as const }), weight: 5 },
    { arbitrary: failureOf(healthKinds), weight: 12 },
    { arbitrary: failureOf(requestKinds), weight: 4 },
    { arbitrary: fc.constant({ type: 'reset' as const }), weight: 1 },
  );
  const advanceMs = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 2_000 }), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 400_000 }), weight: 1 },
  );
  return fc.array(fc.record({ advanceMs, action }), { minLength: 10, maxLength: 150, size: 'max' });
}

/** What is wrong with a state, as sentences; empty when it satisfies every invariant. */
function stateProblems(state: CircuitState, now: number, config: CircuitConfig): string[] {
  const problems: string[] = [];
  const openedAt = state.openedAt ?? Number.NaN;
  const openUntil = state.openUntil ?? Number.NaN;
  if (state.status === 'closed') {
    if (state.openedAt !== null || state.openUntil !== null || state.openReason !== null) {
      problems.push('closed but remembers an opening');
    }
    if (state.openCount !== 0) problems.push('closed with a growing cooldown');
    if (state.consecutiveFailures >= config.consecutiveFailureThreshold)
      problems.push('closed past the threshold');
  } else {
    if (!(openUntil >= openedAt)) problems.push('openUntil before openedAt, or either missing');
    if (state.openCount < 1) problems.push('opened without counting it');
    if (state.recentOutcomes.length > 0) problems.push('counts outcomes while not closed');
  }
  if (state.status === 'open' && openUntil - now > Math.max(config.maxCooldownMs, config.maxRetryAfterMs)) {
    problems.push('open for longer than both caps');
  }
  if (state.probeInFlight && state.status !== 'half-open') problems.push('a probe outside half-open');
  if (state.probeInFlight !== (state.probeStartedAt !== null)) problems.push('probe flag and start disagree');
  const maximumBuckets = Math.ceil(config.failureRateWindowMs / config.windowBucketMs) + 1;
  if (state.recentOutcomes.length > maximumBuckets) problems.push('window holds too many buckets');
  return problems;
}

/**
 * Plays the steps, checking after each that the state is valid, that no second probe is admitted
 * while one is in flight, and that failures unrelated to the model never change the status.
 */
function play(steps: readonly Step[], config: CircuitConfig, start = 1_000_000): CircuitState {
  let state = closedCircuitState();
  let now = start;
  let probeAdmittedAt: number | null = null;
  for (const { advanceMs, action } of steps) {
    now += advanceMs;
    if (action.type === 'admit') {
      const admission = admitAttempt(state, now, config);
      if (circuitStatusAt(state, now, config) === 'open' && admission.admitted) {
        expect.fail(`admitted an attempt at ${now} while open until ${state.openUntil}`);
      }
      if (admission.reason === 'probe') {
        if (probeAdmittedAt !== null && now < probeAdmittedAt + config.probeTimeoutMs) {
          expect.fail(`admitted a second probe at ${now} while the one from ${probeAdmittedAt} is in flight`);
        }
        probeAdmittedAt = now;
      }
      state = admission.state;
    } else {
      const next = transition(state, action, now, config);
      if (action.type === 'failure' && !isHealthFailureKind(action.kind)) {
        const before = circuitStatusAt(state, now, config);
        const after = circuitStatusAt(next, now, config);
        if (before !== after)
          expect.fail(`a ${action.kind} failure moved the circuit from ${before} to ${after}`);
      }
      if (action.type === 'attempt-start') {
        if (next.probeInFlight && !state.probeInFlight) probeAdmittedAt = now;
      } else {
        probeAdmittedAt = null;
      }
      state = next;
    }
    const problems = stateProblems(state, now, config);
    if (problems.length > 0) expect({ problems, state, now }).toEqual({ problems: [], state, now });
  }
  // Whatever the history, the state can be stored in Redis and read back.
  expect(circuitStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
  return state;
}

describe('circuit breaker properties', () => {
  it('keeps every state valid over random event sequences, with the default config', () => {
    fc.assert(
      fc.property(stepsArbitrary({ retryAfter: true }), (steps) => {
        play(steps, defaultCircuitConfig);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every state valid over random event sequences and random configs', () => {
    fc.assert(
      fc.property(configArbitrary, stepsArbitrary({ retryAfter: true }), (config, steps) => {
        play(steps, config);
      }),
      { numRuns: 300 },
    );
  });

  it('without Retry-After, an opening never lasts longer than the cooldown cap nor less than the base', () => {
    fc.assert(
      fc.property(configArbitrary, stepsArbitrary({ retryAfter: false }), (config, steps) => {
        let state = closedCircuitState();
        let now = 0;
        for (const { advanceMs, action } of steps) {
          now += advanceMs;
          state =
            action.type === 'admit'
              ? admitAttempt(state, now, config).state
              : transition(state, action, now, config);
          const openForMs = (state.openUntil ?? 0) - (state.openedAt ?? 0);
          if (
            state.status !== 'closed' &&
            (openForMs > config.maxCooldownMs || openForMs < config.baseCooldownMs)
          ) {
            expect.fail(
              `opened for ${openForMs} ms, outside ${config.baseCooldownMs}..${config.maxCooldownMs}`,
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a sequence of only request-or-account failures leaves a fresh circuit exactly as it was', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.constantFrom(...requestKinds), retryAfterMs: retryAfterArbitrary }), {
          maxLength: 50,
        }),
        (failures) => {
          const state = failures.reduce(
            (current, failure, index) =>
              transition(current, { type: 'failure', ...failure }, index, defaultCircuitConfig),
            closedCircuitState(),
          );
          expect(state).toEqual(closedCircuitState());
        },
      ),
    );
  });
});
