import { isProviderError } from '@switchboard/core';
import type { ExecutionError, ExecutionErrorKind } from '@switchboard/sdk';
import type { ApiErrorCode } from '../errors/api-error-codes.ts';
import type { ApiError, ApiIssue } from '../errors/api-error.ts';

/** OpenAI's error body, the only one OpenAI clients (the `openai` packages, LiteLLM) parse. */
export interface OpenAiErrorBody {
  error: {
    /** What was wrong and what to do. */
    message: string;
    /** OpenAI's class of error: `invalid_request_error`, `server_error`, `requests`, ... */
    type: string;
    /** The request field at fault (`messages.2.content`, `temperature`), when one is. */
    param: string | null;
    /** A stable code to branch on (`model_not_found`, `content_filter`, ...). */
    code: string | null;
  };
}

/**
 * An error the OpenAI-compatible routes answer with: an HTTP status and OpenAI's error body.
 * Thrown by the gateway; rendered by `OpenAiExceptionFilter` (or, once a stream has started, sent
 * as a `data: {"error": …}` event).
 */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null,
    readonly code: string | null,
    /** Extra response headers (`retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'OpenAiError';
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** A 400 naming every bad field; `param` is the first of them. */
  static invalidRequest(issues: readonly ApiIssue[], lead = 'Invalid request'): OpenAiError {
    const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return new OpenAiError(
      400,
      `${lead}: ${listed}`,
      'invalid_request_error',
      issues[0]?.path ?? null,
      'invalid_request',
    );
  }

  /** A 404 for a model name that names nothing usable. */
  static modelNotFound(message: string): OpenAiError {
    return new OpenAiError(404, message, 'invalid_request_error', 'model', 'model_not_found');
  }

  /** A 400 when selection found no model that may serve the request (it never relaxes a constraint). */
  static noEligibleModel(reason: string): OpenAiError {
    return new OpenAiError(
      400,
      `No model may serve this request: ${reason} Relax the request (risk level, privacy, latency budget, cost ` +
        'ceiling, tools, JSON mode) or ask an admin to add a model that qualifies.',
      'invalid_request_error',
      null,
      'no_eligible_model',
    );
  }
}

interface FailureShape {
  status: number;
  type: string;
  code: string;
  param?: string;
}

/**
 * How each way an execution can fail reaches an OpenAI client. A refusal that belongs to the
 * request (content filter, a prompt too long, a request a provider found malformed) is a 400;
 * providers being down, slow or cut off are 502/503/504; the gateway's own credentials being
 * refused is a 502, because the caller cannot fix it.
 */
const executionFailures: Readonly<Record<ExecutionErrorKind, FailureShape>> = {
  content_filter: { status: 400, type: 'invalid_request_error', code: 'content_filter', param: 'messages' },
  context_length: {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'messages',
  },
  bad_request: { status: 400, type: 'invalid_request_error', code: 'provider_rejected_request' },
  rate_limited: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  overloaded: { status: 503, type: 'server_error', code: 'provider_overloaded' },
  no_candidate: { status: 503, type: 'server_error', code: 'no_model_available' },
  budget_exceeded: { status: 429, type: 'requests', code: 'budget_exceeded' },
  server: { status: 502, type: 'server_error', code: 'provider_error' },
  network: { status: 502, type: 'server_error', code: 'provider_unreachable' },
  stream_cut: { status: 502, type: 'server_error', code: 'provider_stream_cut' },
  stream_stall: { status: 504, type: 'server_error', code: 'provider_stream_stalled' },
  malformed_response: { status: 502, type: 'server_error', code: 'provider_malformed_response' },
  prefill_unsupported: { status: 502, type: 'server_error', code: 'provider_error' },
  auth: { status: 502, type: 'server_error', code: 'provider_auth_failed' },
  timeout: { status: 504, type: 'server_error', code: 'provider_timeout' },
  // The caller went away; nobody reads this, but it must not look like the server's fault.
  aborted: { status: 499, type: 'invalid_request_error', code: 'client_closed_request' },
};

/**
 * The OpenAI error of a failed execution, with the engine's own explanation (which models were
 * tried, what each did, what to do) as the message. A content-filter refusal carries the
 * provider's reason in it; a rate limit or overload carries `retry-after` when the provider said.
 */
export function openAiErrorOfExecution(error: ExecutionError): OpenAiError {
  const shape = executionFailures[error.kind];
  const cause: unknown = error.cause;
  const retryAfterMs = isProviderError(cause) ? cause.retryAfterMs : undefined;
  const headers: Record<string, string> =
    retryAfterMs !== undefined && (shape.status === 429 || shape.status === 503)
      ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }
      : {};
  return new OpenAiError(shape.status, error.message, shape.type, shape.param ?? null, shape.code, headers);
}

/** OpenAI's `type` and `code` for each of the control plane's own error codes. */
const apiErrorShapes: Readonly<Record<ApiErrorCode, { type: string; code: string }>> = {
  invalid_request: { type: 'invalid_request_error', code: 'invalid_request' },
  unauthorized: { type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { type: 'invalid_request_error', code: 'insufficient_permissions' },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  method_not_allowed: { type: 'invalid_request_error', code: 'method_not_allowed' },
  conflict: { type: 'invalid_request_error', code: 'conflict' },
  payload_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  unsupported_media_type: { type: 'invalid_request_error', code: 'unsupported_media_type' },
  rate_limited: { type: 'requests', code: 'rate_limit_exceeded' },
  budget_exceeded: { type: 'requests', code: 'budget_exceeded' },
  internal: { type: 'server_error', code: 'internal_error' },
  unavailable: { type: 'server_error', code: 'service_unavailable' },
};

/** An error already classified in the control plane's vocabulary, in OpenAI's shape. */
export function openAiErrorOfApiError(error: ApiError): OpenAiError {
  const shape = apiErrorShapes[error.code];
  const param = error.issues?.[0]?.path ?? null;
  return new OpenAiError(error.status, error.message, shape.type, param, shape.code);
}
