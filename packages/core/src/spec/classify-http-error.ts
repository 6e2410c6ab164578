import { ProviderError, type ProviderErrorKind } from './provider-error.ts';

/** Response headers as a fetch `Headers` or a plain Node-style record. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

/** What the classifier may know besides the response itself. */
export interface ClassifyContext {
  provider?: string | undefined;
  modelId?: string | undefined;
  /**
   * Current time in epoch milliseconds, needed only to turn a `Retry-After` HTTP date into a delay.
   * Without it such a date is ignored: core reads no clock of its own.
   */
  now?: number | undefined;
}

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads how long to wait from `retry-after-ms` (OpenAI's millisecond header), then `retry-after` as
 * seconds or as an HTTP date. Returns `undefined` when neither is present or usable.
 */
export function parseRetryAfter(headers: HeaderSource, now?: number): number | undefined {
  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined && milliseconds.trim() !== '') {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const retryAfter = readHeader(headers, 'retry-after')?.trim();
  if (retryAfter === undefined || retryAfter === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
  if (now === undefined) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface ErrorBodyFacts {
  code: string | undefined;
  type: string | undefined;
  message: string | undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/**
 * Pulls code, type and message out of the error bodies providers send: OpenAI
 * `{error:{code,type,message}}`, Anthropic `{type:'error',error:{type,message}}`, OpenRouter
 * `{error:{code,message,metadata}}`, or plain text.
 */
function readErrorBody(body: unknown): ErrorBodyFacts {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { code: undefined, type: undefined, message: body.slice(0, 500) || undefined };
    }
  }
  const root = asRecord(parsed);
  const error = asRecord(root?.error) ?? root;
  const metadata = asRecord(error?.metadata);
  // Ollama and some proxies send `{"error": "text"}`.
  const rawMessage =
    asText(error?.message) ?? asText(root?.error) ?? asText(root?.message) ?? asText(root?.detail);
  const providerRaw = asText(metadata?.raw);
  return {
    code: asText(error?.code),
    type: asText(error?.type),
    message:
      providerRaw !== undefined && rawMessage !== undefined ? `${rawMessage}: ${providerRaw}` : rawMessage,
  };
}

const contextLengthPatterns = [
  /context_length_exceeded/i,
  /maximum context length/i,
  /context window/i,
  /prompt is too long/i,
  /input is too long/i,
  /too many (input )?tokens/i,
  /reduce the length of the messages/i,
  /exceeds? the (model's )?(maximum )?(context|token) (length|limit)/i,
];

const contentFilterPatterns = [
  /content_policy_violation/i,
  /content_filter/i,
  /content management policy/i,
  /responsibleaipolicyviolation/i,
  /flagged by (our |the )?moderation/i,
  /safety (system|policy)/i,
];

/** Anthropic's 400 for a trailing assistant message on models that cannot continue one. */
const prefillPatterns = [/does not support assistant message prefill/i, /prefill(ing)? is not supported/i];

function matchesAny(patterns: RegExp[], ...texts: (string | undefined)[]): boolean {
  return texts.some((text) => text !== undefined && patterns.some((pattern) => pattern.test(text)));
}

function kindForStatus(status: number, facts: ErrorBodyFacts): ProviderErrorKind {
  const texts = [facts.code, facts.type, facts.message];
  if (matchesAny(contextLengthPatterns, ...texts)) return 'context_length';
  if (matchesAny(contentFilterPatterns, ...texts)) return 'content_filter';
  if (status < 500 && matchesAny(prefillPatterns, ...texts)) return 'prefill_unsupported';
  if (status === 429) return facts.type === 'overloaded_error' ? 'overloaded' : 'rate_limited';
  if (status === 503 || status === 529 || facts.type === 'overloaded_error') return 'overloaded';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  if (status === 401 || status === 403 || status === 402) return 'auth';
  if (status === 413) return 'context_length';
  return 'bad_request';
}

const advice: Record<ProviderErrorKind, string> = {
  rate_limited: 'the provider is rate limiting this key; wait or use another model',
  overloaded: 'the provider is overloaded; another model should take the request',
  server: 'the provider failed on its side; a retry may succeed',
  timeout: 'the provider did not answer in time',
  network: 'the connection to the provider failed',
  context_length:
    'the prompt does not fit the model; choose a model with a larger window or shorten the transcript',
  content_filter: "the provider's content filter refused the request",
  auth: "the provider refused the credentials; check the key in the model's apiKeyEnv variable",
  bad_request: 'the provider rejected the request as invalid; fix the request before retrying',
  aborted: 'the call was aborted',
  stream_cut: 'the stream ended before the answer was complete',
  stream_stall: 'the stream stopped sending data',
  malformed_response: 'the provider sent a response that could not be read',
  prefill_unsupported: 'the model does not accept an assistant prefill; continue without one',
};

/** The sentence of advice that goes with each kind, for messages that reach a user. */
export function adviceFor(kind: ProviderErrorKind): string {
  return advice[kind];
}

/**
 * Turns an HTTP error response into a {@link ProviderError}: the kind from the status and the body's
 * code, type or message (so a 400 that is really a context overflow or a content refusal is told
 * apart), and the delay from the Retry-After headers.
 */
export function classifyHttpError(
  status: number,
  headers: HeaderSource,
  body: unknown,
  context: ClassifyContext = {},
): ProviderError {
  const facts = readErrorBody(body);
  const kind = kindForStatus(status, facts);
  const where = context.modelId === undefined ? '' : ` (${context.modelId})`;
  return new ProviderError({
    kind,
    status,
    message: `HTTP ${status}${where}: ${advice[kind]}.${facts.message === undefined ? '' : ` Provider said: ${facts.message}`}`,
    retryAfterMs: parseRetryAfter(headers, context.now),
    provider: context.provider,
    modelId: context.modelId,
    providerMessage: facts.message,
    providerCode: facts.code ?? facts.type,
  });
}

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * Classifies an error thrown before any HTTP status arrived: aborts (ours), timeouts, and
 * connection failures such as a TCP reset before headers.
 */
export function classifyTransportError(error: unknown, context: ClassifyContext = {}): ProviderError {
  const record = asRecord(error);
  const name = asText(record?.name);
  const cause = asRecord(record?.cause);
  const code = asText(record?.code) ?? asText(cause?.code);
  const text = asText(record?.message) ?? String(error);
  let kind: ProviderErrorKind = 'network';
  if (name === 'AbortError' || name === 'APIUserAbortError' || /aborted/i.test(text)) kind = 'aborted';
  else if (name === 'TimeoutError' || code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) kind = 'timeout';
  else if (code !== undefined && networkCodes.has(code)) kind = 'network';
  return new ProviderError({
    kind,
    message: `${advice[kind]}${code === undefined ? '' : ` (${code})`}: ${text}`,
    provider: context.provider,
    modelId: context.modelId,
    providerCode: code,
    cause: error,
  });
}
