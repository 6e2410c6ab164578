import { describe, expect, it } from 'vitest';
import { classifyHttpError, classifyTransportError, parseRetryAfter } from './classify-http-error.ts';
import { isProviderError, ProviderError } from './provider-error.ts';

const openAIError = (code: string, message: string, type = 'invalid_request_error') => ({
  error: { message, type, param: null, code },
});

describe('parseRetryAfter', () => {
  it('prefers retry-after-ms, in milliseconds', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '9' })).toBe(1500);
  });

  it('reads retry-after as seconds', () => {
    expect(parseRetryAfter({ 'Retry-After': '2' })).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }))).toBe(500);
  });

  it('reads retry-after as an HTTP date against the given time', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }, now)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT' }, now)).toBe(0);
  });

  it('ignores a date when no time is given, and garbage always', () => {
    expect(parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' })).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, 0)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': '-4' })).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('classifyHttpError', () => {
  it('maps 429 to rate_limited with the Retry-After delay', () => {
    const error = classifyHttpError(
      429,
      { 'retry-after': '3' },
      openAIError('rate_limit_exceeded', 'Slow down'),
      {
        provider: 'openai',
        modelId: 'openai/gpt-4o',
      },
    );
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.isRetryable).toBe(true);
    expect(error.status).toBe(429);
    expect(error.provider).toBe('openai');
    expect(error.modelId).toBe('openai/gpt-4o');
  });

  it.each([503, 529])('maps %i to overloaded', (status) => {
    expect(classifyHttpError(status, {}, '').kind).toBe('overloaded');
  });

  it('maps the Anthropic overloaded_error body to overloaded', () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    expect(classifyHttpError(529, {}, body).kind).toBe('overloaded');
  });

  it.each([500, 502])('maps %i to server', (status) => {
    expect(classifyHttpError(status, {}, 'Bad gateway').kind).toBe('server');
  });

  it.each([
    ['OpenAI', openAIError('context_length_exceeded', "This model's maximum context length is 8192 tokens.")],
    [
      'Anthropic',
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 208310 tokens > 200000 maximum',
        },
      },
    ],
    [
      'OpenRouter',
      {
        error: {
          code: 400,
          message:
            "This endpoint's maximum context length is 131072 tokens. However, you requested about 140000 tokens.",
        },
      },
    ],
  ])('maps a 400 context overflow from %s to context_length', (_provider, body) => {
    const error = classifyHttpError(400, {}, body);
    expect(error.kind).toBe('context_length');
    expect(error.isRetryable).toBe(false);
  });

  it('maps content policy refusals to content_filter and keeps the provider reason', () => {
    const body = openAIError('content_policy_violation', 'Your request was rejected by the safety system.');
    const error = classifyHttpError(400, {}, JSON.stringify(body));
    expect(error.kind).toBe('content_filter');
    expect(error.providerMessage).toBe('Your request was rejected by the safety system.');
    expect(error.providerCode).toBe('content_policy_violation');
  });

  it.each([401, 403])('maps %i to auth, which is not retryable', (status) => {
    const error = classifyHttpError(status, {}, openAIError('invalid_api_key', 'Incorrect API key provided'));
    expect(error.kind).toBe('auth');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/apiKeyEnv/);
  });

  it('maps other 4xx to bad_request', () => {
    expect(classifyHttpError(422, {}, openAIError('invalid_value', 'temperature too high')).kind).toBe(
      'bad_request',
    );
  });

  it('reads the message of a plain-text error field, as Ollama sends it', () => {
    const error = classifyHttpError(404, {}, { error: 'model "llama9" not found, try pulling it first' });
    expect(error.kind).toBe('bad_request');
    expect(error.providerMessage).toBe('model "llama9" not found, try pulling it first');
  });

  it('maps an assistant-prefill rejection to prefill_unsupported', () => {
    const body = {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: 'This model does not support assistant message prefill.',
      },
    };
    expect(classifyHttpError(400, {}, body).kind).toBe('prefill_unsupported');
  });

  it('says what went wrong and what to do in its message', () => {
    const error = classifyHttpError(503, {}, { error: { message: 'upstream busy' } }, { modelId: 'sim/x' });
    expect(error.message).toContain('HTTP 503 (sim/x)');
    expect(error.message).toContain('another model');
    expect(error.message).toContain('upstream busy');
  });
});

describe('classifyTransportError', () => {
  it('maps a connection reset to network', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = classifyTransportError(new TypeError('fetch failed', { cause }));
    expect(error.kind).toBe('network');
    expect(error.providerCode).toBe('ECONNRESET');
  });

  it('maps aborts and timeouts', () => {
    expect(classifyTransportError(new DOMException('This operation was aborted', 'AbortError')).kind).toBe(
      'aborted',
    );
    expect(classifyTransportError(new DOMException('The operation timed out', 'TimeoutError')).kind).toBe(
      'timeout',
    );
  });
});

describe('ProviderError', () => {
  it('is recognised by its marker, not by instanceof', () => {
    const error = new ProviderError({ kind: 'server', message: 'boom' });
    const lookalike = Object.assign(new Error('x'), { [Symbol.for('switchboard.provider-error')]: true });
    expect(isProviderError(error)).toBe(true);
    expect(isProviderError(lookalike)).toBe(true);
    expect(isProviderError(new Error('plain'))).toBe(false);
    expect(isProviderError(null)).toBe(false);
  });

  it('names the model it happened on without losing anything', () => {
    const error = new ProviderError({ kind: 'rate_limited', message: 'wait', retryAfterMs: 10, status: 429 });
    const named = error.withModel('sim', 'sim/fast-small');
    expect(named).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 10,
      status: 429,
      modelId: 'sim/fast-small',
    });
  });

  it('serialises to JSON without its cause', () => {
    const error = new ProviderError({ kind: 'network', message: 'reset', cause: new Error('secret detail') });
    expect(JSON.stringify(error)).not.toContain('secret detail');
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ kind: 'network', name: 'ProviderError' });
  });
});
