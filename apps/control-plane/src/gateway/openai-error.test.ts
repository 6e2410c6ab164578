import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  ProviderError,
  select,
  statsFromPriors,
  allHealthy,
  parseTherapeuticContext,
  type Decision,
} from '@switchboard/core';
import { ExecutionError, type ExecutionErrorKind } from '@switchboard/sdk';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { openAiErrorOfApiError, openAiErrorOfExecution } from './openai-error.ts';

const snapshot = buildRegistrySnapshot(defaultRegistryContent(), { version: 1, createdAt: '' });
const decision: Decision = select({
  context: parseTherapeuticContext({}),
  request: { estimatedInputTokens: 10 },
  snapshot,
  health: allHealthy,
  stats: statsFromPriors(snapshot),
  seed: 1,
});

function failure(kind: ExecutionErrorKind, cause?: ProviderError): ExecutionError {
  return new ExecutionError({
    kind,
    message: `failed with ${kind}`,
    cause,
    partialText: '',
    attempts: [],
    skipped: [],
    contributors: [],
    decision,
  });
}

describe('openAiErrorOfExecution', () => {
  it.each([
    ['content_filter', 400, 'content_filter'],
    ['context_length', 400, 'context_length_exceeded'],
    ['rate_limited', 429, 'rate_limit_exceeded'],
    ['overloaded', 503, 'provider_overloaded'],
    ['no_candidate', 503, 'no_model_available'],
    ['server', 502, 'provider_error'],
    ['auth', 502, 'provider_auth_failed'],
    ['timeout', 504, 'provider_timeout'],
  ] as const)('answers %s with %i %s', (kind, status, code) => {
    const error = openAiErrorOfExecution(failure(kind));
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(`failed with ${kind}`);
  });

  it('passes the provider’s Retry-After on, in whole seconds', () => {
    const cause = new ProviderError({ kind: 'rate_limited', message: 'slow down', retryAfterMs: 1_500 });
    expect(openAiErrorOfExecution(failure('rate_limited', cause)).headers).toEqual({ 'retry-after': '2' });
  });
});

describe('openAiErrorOfApiError', () => {
  it('keeps the status and names the first field as param', () => {
    const error = openAiErrorOfApiError(ApiError.invalidRequest([{ path: 'messages', message: 'required' }]));
    expect(error.toBody()).toEqual({
      error: {
        message: 'The request is invalid: messages: required',
        type: 'invalid_request_error',
        param: 'messages',
        code: 'invalid_request',
      },
    });
    expect(openAiErrorOfApiError(new ApiError('rate_limited', 'wait')).status).toBe(429);
  });
});
