import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import {
  adviceFor,
  classifyHttpError,
  classifyTransportError,
  isProviderError,
  ProviderError,
  type ProviderErrorKind,
} from '@switchboard/core';
import { asRecord, asString } from './read-json.ts';

/** Who an error is about: the registry's provider id and model id. */
export interface AnthropicErrorContext {
  /** Registry provider id (`anthropic` unless the registry names it otherwise). */
  provider: string;
  /** Registry model id, so an error in a log says which model failed. */
  modelId: string;
}

/** The error the engine sees when its own abort signal stopped the call. */
export function abortedError(context: AnthropicErrorContext, cause?: unknown): ProviderError {
  return new ProviderError({
    kind: 'aborted',
    message: `${adviceFor('aborted')} (${context.modelId}).`,
    provider: context.provider,
    modelId: context.modelId,
    cause,
  });
}

/** A provider error of the given kind, for failures the adapter detects itself. */
export function adapterError(
  kind: ProviderErrorKind,
  detail: string,
  context: AnthropicErrorContext,
  cause?: unknown,
): ProviderError {
  return new ProviderError({
    kind,
    message: `${detail} (${context.modelId}): ${adviceFor(kind)}.`,
    provider: context.provider,
    modelId: context.modelId,
    cause,
  });
}

/**
 * Turns whatever the SDK (or fetch beneath it) threw into a {@link ProviderError}. An abort of the
 * caller's signal wins over everything else, because the SDK reports it in several shapes.
 */
export function mapAnthropicError(
  error: unknown,
  context: AnthropicErrorContext,
  abortSignal?: AbortSignal,
): ProviderError {
  if (isProviderError(error)) return error;
  if (abortSignal?.aborted === true || error instanceof APIUserAbortError)
    return abortedError(context, error);
  const classifyContext = { provider: context.provider, modelId: context.modelId, now: Date.now() };
  if (error instanceof APIConnectionError) {
    const transportError = classifyTransportError(error.cause ?? error, classifyContext);
    return new ProviderError({
      kind: transportError.kind,
      message: transportError.message,
      provider: context.provider,
      modelId: context.modelId,
      providerCode: transportError.providerCode,
      cause: error,
    });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const body: unknown = error.error ?? error.message;
    const classified = classifyHttpError(error.status, error.headers, body, classifyContext);
    return new ProviderError({
      kind: classified.kind,
      status: classified.status,
      message: classified.message,
      retryAfterMs: classified.retryAfterMs,
      provider: context.provider,
      modelId: context.modelId,
      providerMessage: classified.providerMessage,
      providerCode: classified.providerCode,
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return adapterError(
      'malformed_response',
      'Anthropic sent a response body that is not JSON',
      context,
      error,
    );
  }
  return classifyTransportError(error, classifyContext);
}

/**
 * The HTTP status Anthropic uses for each error type, so that an `error` event inside a stream
 * (which arrives on a 200 response) is classified exactly like the same error before headers.
 */
const statusForErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Classifies an `event: error` received mid-stream (`{"type":"error","error":{"type":
 * "overloaded_error",...}}`). The result carries no HTTP status: the response itself was a 200.
 */
export function mapAnthropicStreamErrorEvent(body: unknown, context: AnthropicErrorContext): ProviderError {
  const errorType = asString(asRecord(asRecord(body)?.error)?.type);
  const status = (errorType === undefined ? undefined : statusForErrorType[errorType]) ?? 500;
  const classified = classifyHttpError(status, undefined, body, context);
  const said =
    classified.providerMessage === undefined ? '' : ` Provider said: ${classified.providerMessage}`;
  return new ProviderError({
    kind: classified.kind,
    message: `Error event in the stream (${context.modelId}): ${adviceFor(classified.kind)}.${said}`,
    provider: context.provider,
    modelId: context.modelId,
    providerMessage: classified.providerMessage,
    providerCode: classified.providerCode,
  });
}
