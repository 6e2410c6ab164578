/**
 * The control plane's own error vocabulary and the HTTP status of each code: the one table every
 * error response is derived from, so clients can branch on `error.code` and trust the status to
 * match. (The OpenAI-compatible gateway answers in OpenAI's error shape instead.)
 */
export const apiErrorStatus = {
  /** The request body, query or path is malformed or fails validation; `issues` names each field. */
  invalid_request: 400,
  /** No API key, or an unknown one. */
  unauthorized: 401,
  /** The key is valid but lacks the scope the route needs. */
  forbidden: 403,
  /** The addressed entry or route does not exist. */
  not_found: 404,
  /** The method is not served on this route. */
  method_not_allowed: 405,
  /** The entry already exists, or the change collides with the current state. */
  conflict: 409,
  /** The body is larger than the server accepts. */
  payload_too_large: 413,
  /** The body is not JSON. */
  unsupported_media_type: 415,
  /** Too many requests for this key; retry after the delay in `Retry-After`. */
  rate_limited: 429,
  /** A hard budget has no room for the request; the message names the budget and when it resets. */
  budget_exceeded: 429,
  /** A fault on our side; the message never contains request content. */
  internal: 500,
  /** A dependency (database, Redis) is not answering, or the server is still starting. */
  unavailable: 503,
} as const;

/** One of the control plane's error codes. */
export type ApiErrorCode = keyof typeof apiErrorStatus;

/** The code for an HTTP status that arrived without one (framework errors), by the table above. */
export function apiErrorCodeForStatus(status: number): ApiErrorCode {
  const exact = Object.entries(apiErrorStatus).find(([, candidate]) => candidate === status);
  if (exact !== undefined) return exact[0] as ApiErrorCode;
  return status >= 500 ? 'internal' : 'invalid_request';
}
