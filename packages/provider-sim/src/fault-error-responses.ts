import type { FaultError } from './fault-decision.ts';

/** The two wire formats the fault server speaks. */
export type FaultRoute = 'openai' | 'anthropic';

/** An HTTP error answer: what the server writes and what the simulator classifies. */
export interface FaultErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The reason `content-policy` gives. Tests compare it with the `providerMessage` an adapter reports,
 * because that text is what the game shows the player.
 */
export const CONTENT_POLICY_MESSAGE =
  'Your request was rejected by the safety system: the scene asks for graphic detail of self-harm. ' +
  'Rephrase the scene without graphic detail and try again.';

/** What `rejects-prefill` says when the conversation ends with an assistant turn. */
export const PREFILL_REJECTED_MESSAGE =
  'This model does not support assistant message prefill. The conversation must end with a user message.';

interface ErrorWording {
  status: number;
  openai: { type: string; code: string | null; param?: string; message: string };
  anthropic: { type: string; message: string; status?: number };
}

function wordingFor(error: FaultError, model: string): ErrorWording {
  switch (error.name) {
    case 'rate-limited': {
      const wait = error.retryAfterMs === undefined ? '' : ` Please try again in ${error.retryAfterMs}ms.`;
      return {
        status: 429,
        openai: {
          type: 'requests',
          code: 'rate_limit_exceeded',
          message: `Rate limit reached for requests on model ${model}.${wait}`,
        },
        anthropic: {
          type: 'rate_limit_error',
          message: `This request would exceed the rate limit for your organization.${wait}`,
        },
      };
    }
    case 'server':
      return {
        status: 500,
        openai: {
          type: 'server_error',
          code: null,
          message: 'The server had an error while processing your request. Sorry about that!',
        },
        anthropic: { type: 'api_error', message: 'Internal server error' },
      };
    case 'unavailable':
      return {
        status: 503,
        openai: { type: 'server_error', code: null, message: 'The server is overloaded or not ready yet.' },
        anthropic: { type: 'overloaded_error', message: 'Overloaded', status: 529 },
      };
    case 'context-length':
      return {
        status: 400,
        openai: {
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          param: 'messages',
          message:
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens. " +
            'Please reduce the length of the messages.',
        },
        anthropic: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 210000 tokens > 200000 maximum',
        },
      };
    case 'content-policy':
      return {
        status: 400,
        openai: {
          type: 'invalid_request_error',
          code: 'content_policy_violation',
          message: CONTENT_POLICY_MESSAGE,
        },
        anthropic: { type: 'invalid_request_error', message: CONTENT_POLICY_MESSAGE },
      };
    case 'prefill-rejected':
      return {
        status: 400,
        openai: {
          type: 'invalid_request_error',
          code: null,
          param: 'messages',
          message: PREFILL_REJECTED_MESSAGE,
        },
        anthropic: { type: 'invalid_request_error', message: PREFILL_REJECTED_MESSAGE },
      };
    case 'auth':
      return {
        status: 401,
        openai: {
          type: 'invalid_request_error',
          code: 'invalid_api_key',
          message:
            'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        },
        anthropic: { type: 'authentication_error', message: 'invalid x-api-key' },
      };
    case 'unknown-model':
      return {
        status: 404,
        openai: {
          type: 'invalid_request_error',
          code: 'model_not_found',
          message: `The model \`${model}\` does not exist or you do not have access to it.`,
        },
        anthropic: { type: 'not_found_error', message: `model: ${model}` },
      };
    case 'bad-request':
      return {
        status: 400,
        openai: { type: 'invalid_request_error', code: null, message: error.detail ?? 'Invalid request.' },
        anthropic: { type: 'invalid_request_error', message: error.detail ?? 'Invalid request.' },
      };
  }
}

/**
 * Renders an error answer in a route's wire format: OpenAI's `{error:{message,type,param,code}}` or
 * Anthropic's `{type:'error',error:{type,message}}`, with the status each provider really uses (529
 * for an overloaded Anthropic) and Retry-After headers for rate limits that carry a delay.
 */
export function faultErrorResponse(error: FaultError, route: FaultRoute, model: string): FaultErrorResponse {
  const wording = wordingFor(error, model);
  const headers: Record<string, string> = {};
  if (error.name === 'rate-limited' && error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(error.retryAfterMs);
  }
  if (route === 'anthropic') {
    const { status, ...anthropicError } = wording.anthropic;
    return { status: status ?? wording.status, headers, body: { type: 'error', error: anthropicError } };
  }
  const { param, ...openaiError } = wording.openai;
  return { status: wording.status, headers, body: { error: { ...openaiError, param: param ?? null } } };
}
