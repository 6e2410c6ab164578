import {
  adviceFor,
  classifyHttpError,
  classifyTransportError,
  isProviderError,
  ProviderError,
} from '@switchboard/core';

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
 * The error for an HTTP status outside 2xx: classified by `classifyHttpError` from the whole body
 * (parsed when it is JSON, else its text, so that servers answering in other shapes, vLLM's
 * `{object:'error', message, type}` for one, keep the words that tell a context overflow from any
 * other 400) and the Retry-After headers.
 */
export function httpStatusError(
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  bodyText: string,
  context: ErrorContext,
): ProviderError {
  let body: unknown = bodyText;
  try {
    body = JSON.parse(bodyText);
  } catch {
    // Not JSON: the text itself is what the provider said.
  }
  return classifyHttpError(status, headers, body, {
    provider: context.provider,
    modelId: context.modelId,
    now: Date.now(),
  });
}

/**
 * Turns anything the transport (or our own reading of a body) throws into a `ProviderError`:
 * connection failures through `classifyTransportError` (which reads the platform's error code),
 * a body that is not JSON as `malformed_response`, and anything after the signal fired as
 * `aborted`.
 */
export function toProviderError(error: unknown, context: ErrorContext): ProviderError {
  if (isProviderError(error)) return error;
  if (context.signal?.aborted === true) return abortedError(context, error);
  if (error instanceof SyntaxError) {
    return new ProviderError({
      kind: 'malformed_response',
      message: `${adviceFor('malformed_response')} (${context.modelId}): ${error.message}`,
      provider: context.provider,
      modelId: context.modelId,
      cause: error,
    });
  }
  return classifyTransportError(error, {
    provider: context.provider,
    modelId: context.modelId,
    now: Date.now(),
  });
}
