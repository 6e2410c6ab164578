import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { providerErrorKinds } from '@switchboard/core';
import { failureStep, type FailureFacts } from './failure-step.ts';

const first: FailureFacts = {
  kind: 'server',
  retryAfterMs: undefined,
  earlierFailuresOnModel: 0,
  wasPrefill: false,
  midStream: false,
  contentFilterFailover: true,
  remainingMs: 10_000,
  backoffMs: 250,
  maxRetryAfterWaitMs: 2_000,
};

describe('failureStep', () => {
  it.each([
    ['server', { type: 'retry', delayMs: 250 }],
    ['network', { type: 'retry', delayMs: 250 }],
    ['malformed_response', { type: 'retry', delayMs: 250 }],
    ['stream_cut', { type: 'retry', delayMs: 250 }],
    ['overloaded', { type: 'fail-over' }],
    ['timeout', { type: 'fail-over' }],
    ['stream_stall', { type: 'fail-over' }],
    ['rate_limited', { type: 'fail-over' }],
    ['context_length', { type: 'reselect' }],
    ['content_filter', { type: 'fail-over-same-tier-or-safer' }],
    ['auth', { type: 'fail-over-other-provider' }],
    ['bad_request', { type: 'stop' }],
  ] as const)('a first %s on a model: %o', (kind, step) => {
    expect(failureStep({ ...first, kind })).toEqual(step);
  });

  it('waits out a Retry-After that is short and fits the time left, else fails over', () => {
    expect(failureStep({ ...first, kind: 'rate_limited', retryAfterMs: 800 })).toEqual({
      type: 'retry',
      delayMs: 800,
    });
    expect(failureStep({ ...first, kind: 'rate_limited', retryAfterMs: 3_000 })).toEqual({
      type: 'fail-over',
    });
    expect(failureStep({ ...first, kind: 'rate_limited', retryAfterMs: 800, remainingMs: 500 })).toEqual({
      type: 'fail-over',
    });
  });

  it('stops on a content-filter refusal when the policy forbids failover', () => {
    expect(failureStep({ ...first, kind: 'content_filter', contentFilterFailover: false })).toEqual({
      type: 'stop',
    });
  });

  it('falls back to instruction when a prefill continuation is refused', () => {
    for (const kind of ['prefill_unsupported', 'bad_request'] as const) {
      expect(failureStep({ ...first, kind, wasPrefill: true })).toEqual({ type: 'retry-without-prefill' });
    }
  });

  it('never retries the same model twice, mid-stream, or past the time left', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...providerErrorKinds),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5_000 }),
        fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
        (kind, earlierFailuresOnModel, midStream, remainingMs, retryAfterMs) => {
          const step = failureStep({
            ...first,
            kind,
            earlierFailuresOnModel,
            midStream,
            remainingMs,
            retryAfterMs,
          });
          if (step.type !== 'retry') return;
          expect(earlierFailuresOnModel).toBe(0);
          expect(midStream).toBe(false);
          expect(step.delayMs).toBeLessThan(remainingMs);
          expect(['server', 'network', 'malformed_response', 'stream_cut', 'rate_limited']).toContain(kind);
        },
      ),
    );
  });
});
