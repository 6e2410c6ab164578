import type { ApiErrorCode } from '../errors/api-error-codes.ts';
import { ApiError, type ApiErrorBody } from '../errors/api-error.ts';
import type { RouteScope } from '../http/route-scope.ts';

/** The extra fields of OpenAI's error object (`{ error: { message, type, param, code } }`). */
export interface OpenAiErrorFields {
  type: string;
  param: string | null;
  code: string | null;
}

/**
 * An {@link ApiError} rendered in OpenAI's error shape. The shared exception filter writes whatever
 * `toBody()` returns with the status of `code`, so an authentication failure on the
 * OpenAI-compatible routes reaches an `openai` client in the one format it parses, while the status
 * (401, 403, 429) still comes from the shared table. A gateway filter that renders errors itself can
 * read {@link OpenAiShapedApiError.openAi}.
 */
export class OpenAiShapedApiError extends ApiError {
  constructor(
    code: ApiErrorCode,
    message: string,
    /** OpenAI's `type`, `param` and `code` for this error. */
    readonly openAi: OpenAiErrorFields,
  ) {
    super(code, message);
    this.name = 'OpenAiShapedApiError';
  }

  override toBody(): ApiErrorBody {
    const body = { error: { message: this.message, ...this.openAi } };
    // The filter serialises the body as it is; only its declared type is the control plane's.
    return body as unknown as ApiErrorBody;
  }
}

/** What the guard says when it refuses a request, in the wire format of the route it guards. */
export interface AuthErrors {
  missingKey(): ApiError;
  malformedAuthorization(): ApiError;
  unknownKey(): ApiError;
  insufficientScope(required: RouteScope, keyPrefix: string, keyScope: string): ApiError;
  rateLimited(keyPrefix: string, requestsPerMinute: number, retryAfterSeconds: number): ApiError;
}

/** The message of a request without a key; the start is what every client shows. */
export const missingKeyMessage =
  'Missing API key: send Authorization: Bearer <key> (create one with POST /admin/api-keys)';

const messages = {
  malformedAuthorization:
    'The Authorization header must be "Bearer <key>" (or send the key alone in the x-api-key header); ' +
    'create a key with POST /admin/api-keys',
  unknownKey:
    'Unknown or revoked API key: check that you sent the whole key, or ask an admin for a new one ' +
    '(POST /admin/api-keys; GET /admin/api-keys lists which keys are revoked)',
  insufficientScope: (required: RouteScope, keyPrefix: string, keyScope: string): string =>
    `This route needs an API key with scope ${required}${required === 'service' ? ' or admin' : ''}; ` +
    `the key ${keyPrefix} has scope ${keyScope}. Use a key with scope ${required}, or have an admin ` +
    `create one with POST /admin/api-keys {"name": "...", "scope": "${required}"}`,
  rateLimited: (keyPrefix: string, requestsPerMinute: number, retryAfterSeconds: number): string =>
    `Rate limit exceeded for API key ${keyPrefix}: it may send ${requestsPerMinute} requests per minute. ` +
    `Retry after ${retryAfterSeconds} s (see the Retry-After header), or ask an admin for a key with a ` +
    'higher rateLimitPerMinute',
};

/** Errors in the control plane's own vocabulary (`{ error: { code, message } }`). */
const apiErrors: AuthErrors = {
  missingKey: () => new ApiError('unauthorized', missingKeyMessage),
  malformedAuthorization: () => new ApiError('unauthorized', messages.malformedAuthorization),
  unknownKey: () => new ApiError('unauthorized', messages.unknownKey),
  insufficientScope: (required, keyPrefix, keyScope) =>
    new ApiError('forbidden', messages.insufficientScope(required, keyPrefix, keyScope)),
  rateLimited: (keyPrefix, requestsPerMinute, retryAfterSeconds) =>
    new ApiError('rate_limited', messages.rateLimited(keyPrefix, requestsPerMinute, retryAfterSeconds)),
};

/** The same errors in OpenAI's shape, with the `type` and `code` OpenAI itself uses for each. */
const openAiErrors: AuthErrors = {
  missingKey: () =>
    new OpenAiShapedApiError('unauthorized', missingKeyMessage, {
      type: 'invalid_request_error',
      param: null,
      code: null,
    }),
  malformedAuthorization: () =>
    new OpenAiShapedApiError('unauthorized', messages.malformedAuthorization, {
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    }),
  unknownKey: () =>
    new OpenAiShapedApiError('unauthorized', messages.unknownKey, {
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    }),
  insufficientScope: (required, keyPrefix, keyScope) =>
    new OpenAiShapedApiError('forbidden', messages.insufficientScope(required, keyPrefix, keyScope), {
      type: 'invalid_request_error',
      param: null,
      code: 'insufficient_permissions',
    }),
  rateLimited: (keyPrefix, requestsPerMinute, retryAfterSeconds) =>
    new OpenAiShapedApiError(
      'rate_limited',
      messages.rateLimited(keyPrefix, requestsPerMinute, retryAfterSeconds),
      {
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    ),
};

/** The errors for a route: OpenAI's shape on the OpenAI-compatible routes, ours everywhere else. */
export function authErrorsFor(openAiShape: boolean): AuthErrors {
  return openAiShape ? openAiErrors : apiErrors;
}
