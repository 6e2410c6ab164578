import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutcomeWindow } from './outcome-window.ts';

describe('OutcomeWindow', () => {
  it('reports the error rate and nearest-rank latency quantiles of recent outcomes', () => {
    const window = new OutcomeWindow(100, 60_000);
    for (let latency = 1; latency <= 20; latency += 1)
      window.add({ at: 1_000, ok: true, latencyMs: latency * 10 });
    for (let index = 0; index < 5; index += 1) window.add({ at: 1_000, ok: false, latencyMs: 5_000 });
    expect(window.summary(2_000)).toEqual({
      attempts: 25,
      failures: 5,
      errorRate: 0.2,
      latencyMs: { p50: 100, p95: 190, samples: 20 },
    });
  });

  it('says "unknown" rather than 0 % when nothing was observed', () => {
    expect(new OutcomeWindow(10, 1_000).summary(0)).toEqual({
      attempts: 0,
      failures: 0,
      errorRate: null,
      latencyMs: null,
    });
  });

  it('forgets outcomes older than the window', () => {
    const window = new OutcomeWindow(10, 1_000);
    window.add({ at: 0, ok: false, latencyMs: null });
    window.add({ at: 900, ok: true, latencyMs: 50 });
    expect(window.summary(1_500)).toMatchObject({ attempts: 1, failures: 0, errorRate: 0 });
  });

  it('keeps only the latest `capacity` outcomes however many arrive', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.boolean(), { maxLength: 300 }),
        (capacity, outcomes) => {
          const window = new OutcomeWindow(capacity, Number.MAX_SAFE_INTEGER);
          outcomes.forEach((ok, index) => window.add({ at: index, ok, latencyMs: index }));
          const kept = outcomes.slice(-capacity);
          const summary = window.summary(outcomes.length);
          expect(summary.attempts).toBe(kept.length);
          expect(summary.failures).toBe(kept.filter((ok) => !ok).length);
        },
      ),
    );
  });
});
