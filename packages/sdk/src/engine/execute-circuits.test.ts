import { describe, expect, it } from 'vitest';
import type { CircuitAdmission, CircuitEvent } from '@switchboard/core';
import { createInMemoryCircuitRegistry, type CircuitRegistry } from './circuit-registry.ts';
import {
  attemptsByModel,
  testDecision,
  testModel,
  testRegistry,
  testRun,
  virtualTime,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters } from './__fixtures__/engine-test-kit.ts';

const models = [testModel('a'), testModel('b')];
const breakerConfig = {
  consecutiveFailureThreshold: 2,
  failureRateThreshold: 0.5,
  failureRateWindowMs: 30_000,
  failureRateMinimumAttempts: 10,
  windowBucketMs: 1_000,
  baseCooldownMs: 1_000,
  cooldownMultiplier: 2,
  maxCooldownMs: 60_000,
  retryAfterOpenThresholdMs: 1_000,
  maxRetryAfterMs: 3_600_000,
  probeTimeoutMs: 120_000,
};

/** Wraps a registry and records every call the engine makes to it. */
function recording(inner: CircuitRegistry): CircuitRegistry & { calls: string[] } {
  const calls: string[] = [];
  const describe = (event: CircuitEvent): string =>
    event.type === 'failure' ? `failure:${event.kind}:${event.retryAfterMs ?? '-'}` : event.type;
  return {
    calls,
    admit(modelId, now): CircuitAdmission | Promise<CircuitAdmission> {
      calls.push(`${modelId} admit`);
      return inner.admit(modelId, now);
    },
    report(modelId, event, now) {
      calls.push(`${modelId} ${describe(event)}`);
      return inner.report(modelId, event, now);
    },
  };
}

describe('circuit breakers', () => {
  it('skips a model whose circuit is open, without an attempt', async () => {
    const { clock, virtual } = virtualTime();
    const circuits = createInMemoryCircuitRegistry({ config: breakerConfig });
    circuits.report('a', { type: 'failure', kind: 'server' }, clock.now());
    circuits.report('a', { type: 'failure', kind: 'server' }, clock.now());
    expect(circuits.statusOf('a', clock.now())).toBe('open');

    const result = await testRun().execute({
      clock,
      circuits,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'healthy', b: 'healthy' }, { clock: virtual }),
    }).result;
    expect(attemptsByModel(result.attempts)).toEqual({ b: 1 });
    expect(result.skipped).toEqual([{ modelId: 'a', reason: 'circuit-open' }]);
  });

  it('lets exactly one probe through a half-open circuit, and its success closes it', async () => {
    const { clock, virtual } = virtualTime();
    const circuits = createInMemoryCircuitRegistry({ config: breakerConfig });
    circuits.report('a', { type: 'failure', kind: 'server' }, clock.now());
    circuits.report('a', { type: 'failure', kind: 'server' }, clock.now());
    await virtual.sleep(breakerConfig.baseCooldownMs);
    expect(circuits.statusOf('a', clock.now())).toBe('half-open');

    const options = {
      clock,
      circuits,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'slow-first-token-50', b: 'healthy' }, { clock: virtual }),
    };
    const run = testRun();
    const [probing, concurrent] = await Promise.all([
      run.execute(options).result,
      run.execute(options).result,
    ]);
    expect(probing.answeredBy).toBe('a');
    expect(probing.attempts[0]!.probe).toBe(true);
    expect(concurrent.answeredBy).toBe('b');
    expect(concurrent.skipped).toEqual([{ modelId: 'a', reason: 'probe-in-flight' }]);
    expect(circuits.statusOf('a', clock.now())).toBe('closed');
  });

  it('reports every attempt to the breaker: admission first, then success or the failure kind', async () => {
    const circuits = recording(createInMemoryCircuitRegistry());
    await testRun().execute({
      circuits,
      retry: { backoffMs: 10 },
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry([...models, testModel('c')]),
      adapters: simAdapters({
        a: 'rate-limit-retry-after-5000',
        b: 'server-error-once#report',
        c: 'healthy',
      }),
    }).result;
    expect(circuits.calls).toEqual([
      'a admit',
      'a failure:rate_limited:5000',
      'b admit',
      'b failure:server:-',
      'b admit',
      'b success',
    ]);
  });

  it('fails over at once rather than wait out a Retry-After that opens the circuit', async () => {
    const { clock, virtual } = virtualTime();
    const circuits = createInMemoryCircuitRegistry();
    const result = await testRun().execute({
      clock,
      circuits,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'rate-limit-retry-after-1500', b: 'healthy' }, { clock: virtual }),
    }).result;
    const [limited, answered] = result.attempts;
    expect(result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      ['a', 'rate_limited'],
      ['b', 'ok'],
    ]);
    expect(answered!.startedAt).toBe(limited!.endedAt);
    expect(circuits.statusOf('a', clock.now())).toBe('open');
  });

  it('opens the circuit of a model that keeps failing, so later requests skip it', async () => {
    const circuits = createInMemoryCircuitRegistry({ config: breakerConfig });
    const options = {
      circuits,
      decision: testDecision(['a', 'b']),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'unavailable', b: 'healthy' }),
    };
    const run = testRun();
    await run.execute(options).result;
    await run.execute(options).result;
    const third = await run.execute(options).result;
    expect(third.skipped).toEqual([{ modelId: 'a', reason: 'circuit-open' }]);
    expect(third.attempts.map((attempt) => attempt.modelId)).toEqual(['b']);
  });
});
