import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapAnthropicError, mapAnthropicStreamErrorEvent } from './map-anthropic-error.ts';

const context = { provider: 'anthropic', modelId: 'anthropic/claude-opus-4-6' };

interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The error the SDK itself builds from a recorded error response. */
function sdkErrorFrom(name: string): APIError {
  const fixture = JSON.parse(
    readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'),
  ) as ErrorFixture;
  return APIError.generate(fixture.status, fixture.body as object, undefined, new Headers(fixture.headers));
}

describe('mapAnthropicError', () => {
  it('classifies the recorded 529 overloaded_error as overloaded', () => {
    const error = mapAnthropicError(sdkErrorFrom('error-overloaded.json'), context);
    expect(error).toMatchObject({
      kind: 'overloaded',
      status: 529,
      provider: 'anthropic',
      isRetryable: true,
    });
    expect(error.modelId).toBe('anthropic/claude-opus-4-6');
  });

  it('classifies the recorded 429 rate_limit_error as rate_limited with its Retry-After', () => {
    const error = mapAnthropicError(sdkErrorFrom('error-rate-limit.json'), context);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 17_000 });
    expect(error.providerCode).toBe('rate_limit_error');
  });

  it('classifies "prompt is too long" as context_length, which no retry can fix', () => {
    const error = mapAnthropicError(sdkErrorFrom('error-prompt-too-long.json'), context);
    expect(error).toMatchObject({ kind: 'context_length', isRetryable: false });
  });

  it('classifies the recorded 401 authentication_error as auth', () => {
    expect(mapAnthropicError(sdkErrorFrom('error-authentication.json'), context).kind).toBe('auth');
  });

  it('classifies a refused prefill as prefill_unsupported so continuity can retry without one', () => {
    expect(mapAnthropicError(sdkErrorFrom('error-prefill-not-supported.json'), context).kind).toBe(
      'prefill_unsupported',
    );
  });

  it('classifies a connection reset as network', () => {
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const error = mapAnthropicError(new APIConnectionError({ cause: reset }), context);
    expect(error).toMatchObject({ kind: 'network', providerCode: 'ECONNRESET', modelId: context.modelId });
  });

  it('reports an abort of the caller signal as aborted, whatever the SDK threw', () => {
    const controller = new AbortController();
    controller.abort();
    expect(mapAnthropicError(new TypeError('terminated'), context, controller.signal).kind).toBe('aborted');
    expect(mapAnthropicError(new APIUserAbortError(), context).kind).toBe('aborted');
  });
});

describe('mapAnthropicStreamErrorEvent', () => {
  it('classifies an error event like the same error before headers, without an HTTP status', () => {
    const error = mapAnthropicStreamErrorEvent(
      { type: 'error', error: { type: 'rate_limit_error', message: 'Too many requests' } },
      context,
    );
    expect(error).toMatchObject({
      kind: 'rate_limited',
      status: undefined,
      providerMessage: 'Too many requests',
    });
    expect(error.message).toMatch(/Error event in the stream \(anthropic\/claude-opus-4-6\)/);
  });
});
