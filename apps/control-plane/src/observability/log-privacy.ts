import type { StdSerializedResults } from 'pino-http';

/** What replaces a secret or a piece of message content in a log line. */
export const redactedValue = '[redacted]';

/**
 * Log paths pino censors. The serializers below already leave these out of request logs; the paths
 * are the second line of defence for code that logs raw headers or bodies itself.
 */
export const logRedactPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.body',
  'res.body',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'apiKey',
  'key',
];

/**
 * Keys whose values are (or may contain) what players or models wrote. They are censored at any
 * depth of a logged object, so `logger.info({ request: { messages } })` cannot leak a transcript.
 */
const contentKeys: ReadonlySet<string> = new Set([
  'messages',
  'content',
  'prompt',
  'completion',
  'choices',
  'delta',
  'text',
  'body',
  'arguments',
  'transcript',
  'providerMessage',
]);

/** Deeper than this, a logged object is cut off: logs describe, they do not dump. */
const maximumDepth = 6;

/**
 * A copy of a logged object with every message-content field censored, at any depth (up to
 * {@link maximumDepth}). Only plain objects and arrays are walked: requests, responses and errors
 * are left to their serializers. Used as pino's `formatters.log`.
 */
export function dropMessageContent(value: Record<string, unknown>): Record<string, unknown> {
  return censorObject(value, 0);
}

function censorObject(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] =
      contentKeys.has(key) && field !== undefined && field !== null
        ? redactedValue
        : censor(field, depth + 1);
  }
  return copy;
}

function censor(value: unknown, depth: number): unknown {
  if (Array.isArray(value))
    return depth > maximumDepth ? '[array]' : value.map((item) => censor(item, depth + 1));
  if (!isPlainObject(value)) return value;
  return depth > maximumDepth ? '[object]' : censorObject(value, depth);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Request headers worth logging; every other header (credentials, cookies, custom ones) is left out. */
const loggedRequestHeaders: readonly string[] = [
  'user-agent',
  'content-type',
  'content-length',
  'x-request-id',
];

/** What a request log line says about the request: never its body, query string or credentials. */
export interface LoggedRequest {
  id: unknown;
  method: string;
  /** The path only: query strings can carry anything a client put there. */
  path: string;
  headers: Record<string, string>;
}

/** pino-http's request serializer: an allowlist of harmless fields. */
export function serializeRequest(request: StdSerializedResults['req']): LoggedRequest {
  const headers: Record<string, string> = {};
  for (const name of loggedRequestHeaders) {
    const value: unknown = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const url = typeof request.url === 'string' ? request.url : '';
  const queryAt = url.indexOf('?');
  return {
    id: request.id,
    method: request.method,
    path: queryAt === -1 ? url : url.slice(0, queryAt),
    headers,
  };
}

/** pino-http's response serializer: the status only (headers may set cookies or echo keys). */
export function serializeResponse(response: StdSerializedResults['res']): { statusCode: number } {
  return { statusCode: response.statusCode };
}

/** The fields of a logged error that describe it without quoting a prompt or a provider's answer. */
const loggedErrorFields: readonly string[] = [
  'kind',
  'status',
  'code',
  'provider',
  'modelId',
  'providerCode',
];

/**
 * pino's error serializer: type, message, stack and classification fields. The error's cause chain
 * and any attached bodies (provider responses, which can quote the prompt) are left out, and so is
 * a provider error's own explanation (`providerMessage`).
 */
export function serializeError(error: StdSerializedResults['err']): Record<string, unknown> {
  const serialized: Record<string, unknown> = {
    type: error.type,
    message: error.message,
    stack: error.stack,
  };
  const source = error as unknown as Record<string, unknown>;
  for (const field of loggedErrorFields) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') serialized[field] = value;
  }
  return serialized;
}
