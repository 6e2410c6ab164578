import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { MetricsService } from '../observability/metrics.service.ts';
import { defaultHealthOptions } from './health-options.ts';
import { ModelHealthService } from './model-health.service.ts';
import { manualClock } from './__fixtures__/health-test-app.ts';

function createSut() {
  const clock = manualClock();
  const sut = new ModelHealthService(clock, defaultHealthOptions, new MetricsService());
  return { sut, clock };
}

describe('ModelHealthService', () => {
  it('opens a model’s circuit after five health failures in a row, from passive outcomes alone', () => {
    const { sut, clock } = createSut();
    for (let index = 0; index < 4; index += 1) sut.recordOutcome('m', { ok: false, kind: 'server' });
    expect(sut.statusOf('m', clock.now())).toBe('closed');
    sut.recordOutcome('m', { ok: false, kind: 'network' });
    expect(sut.statusOf('m', clock.now())).toBe('open');
    expect(sut.admit('m', clock.now()).admitted).toBe(false);
    expect(sut.healthView().circuitOf('m')).toBe('open');
  });

  it('ignores failures that say nothing about the model, in the circuit and in the error rate', () => {
    const { sut, clock } = createSut();
    for (let index = 0; index < 10; index += 1) sut.recordOutcome('m', { ok: false, kind: 'bad_request' });
    sut.recordOutcome('m', { ok: false, kind: 'content_filter' });
    expect(sut.statusOf('m', clock.now())).toBe('closed');
    expect(sut.describe('m', null)).toMatchObject({ errorRate: null, window: { attempts: 0 } });
  });

  it('counts an outcome the engine already reported to the circuit only once', () => {
    const { sut, clock } = createSut();
    for (let index = 0; index < 4; index += 1) {
      sut.report('m', { type: 'failure', kind: 'timeout' }, clock.now());
      sut.recordOutcome('m', { ok: false, kind: 'timeout', circuitReported: true });
    }
    expect(sut.describe('m', null)).toMatchObject({
      circuit: { status: 'closed', consecutiveFailures: 4 },
      window: { attempts: 4, failures: 4 },
    });
  });

  it('admits one half-open probe after the cooldown, and closes on its success', () => {
    const { sut, clock } = createSut();
    sut.recordOutcome('m', { ok: false, kind: 'rate_limited', retryAfterMs: 10_000 });
    expect(sut.describe('m', null).circuit).toMatchObject({ status: 'open', openReason: 'retry-after' });
    clock.advance(10_000);
    expect(sut.admit('m', clock.now())).toMatchObject({ admitted: true, reason: 'probe' });
    expect(sut.admit('m', clock.now())).toMatchObject({ admitted: false, reason: 'probe-in-flight' });
    sut.recordOutcome('m', { ok: true, latencyMs: 300, source: 'probe' });
    expect(sut.describe('m', null)).toMatchObject({
      circuit: { status: 'closed', openCount: 0 },
      lastProbe: { outcome: 'success', latencyMs: 300 },
    });
  });

  it('lets an operator close a circuit by hand', () => {
    const { sut, clock } = createSut();
    for (let index = 0; index < 5; index += 1) sut.recordOutcome('m', { ok: false, kind: 'overloaded' });
    sut.reset('m');
    expect(sut.statusOf('m', clock.now())).toBe('closed');
  });
});
