import {
  adviceFor,
  classifyHttpError,
  classifyTransportError,
  isProviderError,
  ProviderError,
} from '@switchboard/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { OpenAIStatusError } from './openai-client.ts';

/** Who the failing call was for, so the error can say so. */
export interface ErrorContext {
  provider: string;
  modelId: string;
  /** The request's signal: an error after it fired is an abort, whatever the transport says. */
  signal?: AbortSignal | undefined;
}

/** The `aborted` error every path raises when the engine's signal fired. */
export function abortedError(context: ErrorContext, cause?: unknown): ProviderError {
  return new ProviderError({
    kind: 'aborted',
    message: `${adviceFor('aborted')} (${context.modelId}); the caller's signal fired.`,
    provider: context.provider,
    modelId: context.modelId,
    cause,
  });
}

/**
 * Turns anything the `openai` client (or our own stream reading) throws into a `ProviderError`:
 * HTTP errors through `classifyHttpError` with the full error body and the Retry-After headers,
 * connection failures through `classifyTransportError`, and aborts as `aborted`.
 */
export function toProviderError(error: unknown, context: ErrorContext): ProviderError {
  if (isProviderError(error)) return error;
  if (context.signal?.aborted === true || error instanceof APIUserAbortError)
    return abortedError(context, error);
  const classifyContext = { provider: context.provider, modelId: context.modelId, now: Date.now() };
  if (error instanceof APIConnectionTimeoutError) return classifyTransportError(error, classifyContext);
  if (error instanceof APIConnectionError)
    return classifyTransportError(error.cause ?? error, classifyContext);
  if (error instanceof APIError && typeof error.status === 'number') {
    const body = error instanceof OpenAIStatusError ? error.body : (error.error ?? error.message);
    return classifyHttpError(error.status, error.headers, body, classifyContext);
  }
  if (error instanceof SyntaxError) {
    return new ProviderError({
      kind: 'malformed_response',
      message: `${adviceFor('malformed_response')} (${context.modelId}): ${error.message}`,
      provider: context.provider,
      modelId: context.modelId,
      cause: error,
    });
  }
  return classifyTransportError(error, classifyContext);
}
