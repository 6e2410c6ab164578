import OpenAI, { APIError } from 'openai';

/**
 * An HTTP error from the `openai` client that keeps the whole error body. The client itself keeps
 * only `body.error`, which loses the body of servers that answer in another shape (vLLM's
 * `{object:'error', message, type}`, for one) and with it the words that tell a context overflow
 * from any other 400.
 */
export class OpenAIStatusError extends APIError<number, Headers> {
  /** The parsed JSON error body, or its text when it was not JSON. */
  readonly body: unknown;

  constructor(status: number, body: object | undefined, message: string | undefined, headers: Headers) {
    super(status, readNestedError(body), message, headers);
    this.body = body ?? message;
  }
}

function readNestedError(body: object | undefined): object | undefined {
  if (body === undefined || !('error' in body)) return body;
  const nested = body.error;
  return typeof nested === 'object' && nested !== null ? nested : body;
}

/** What the client needs; everything else is fixed by Switchboard's division of labour. */
export interface OpenAIClientSettings {
  baseUrl: string;
  apiKey: string;
  headers: Record<string, string>;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * The client's `X-Stainless-*` headers describe this host (OS, CPU architecture, runtime and
 * library versions, retry count) to every endpoint, third-party routers included. Switchboard
 * sends none of them: they tell a provider nothing it needs, and they are bytes on every call.
 * A `null` value is the client's way of removing a header it would add.
 */
const withoutPlatformHeaders: Record<string, null> = {
  'X-Stainless-Lang': null,
  'X-Stainless-Package-Version': null,
  'X-Stainless-OS': null,
  'X-Stainless-Arch': null,
  'X-Stainless-Runtime': null,
  'X-Stainless-Runtime-Version': null,
  'X-Stainless-Retry-Count': null,
  'X-Stainless-Timeout': null,
};

/**
 * Long enough never to fire before the engine's own deadlines (which abort through the request's
 * signal); well below the 2^31-1 ms where Node's timers overflow to 1 ms.
 */
const clientTimeoutMs = 24 * 60 * 60 * 1000;

class SwitchboardOpenAIClient extends OpenAI {
  protected override makeStatusError(
    status: number,
    error: object | undefined,
    message: string | undefined,
    headers: Headers,
  ): APIError {
    return new OpenAIStatusError(status, error, message, headers);
  }
}

/**
 * Builds the official client the way every Switchboard adapter needs it: no retries (the engine
 * retries, with its own backoff and failover), a timeout that never fires first (the engine owns
 * deadlines), logging off (requests carry players' words), and none of the client's ambient
 * `OPENAI_*` environment defaults (an OpenAI organisation header must not travel to OpenRouter).
 */
export function createOpenAIClient(settings: OpenAIClientSettings): OpenAI {
  return new SwitchboardOpenAIClient({
    baseURL: settings.baseUrl,
    apiKey: settings.apiKey,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    defaultHeaders: { ...withoutPlatformHeaders, ...settings.headers },
    maxRetries: 0,
    timeout: clientTimeoutMs,
    logLevel: 'off',
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
  });
}
