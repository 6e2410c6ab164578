import Anthropic from '@anthropic-ai/sdk';
import {
  adviceFor,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type GenerateResult,
  type StreamResult,
} from '@switchboard/core';
import { convertToAnthropicRequest, type AnthropicRequestBody } from './convert-to-anthropic-request.ts';
import { adapterError, mapAnthropicError, type AnthropicErrorContext } from './map-anthropic-error.ts';
import { mapAnthropicResponse } from './map-anthropic-response.ts';
import { readAnthropicStream } from './read-anthropic-stream.ts';

/** Anthropic's public endpoint; the SDK appends `/v1/messages`. */
export const defaultAnthropicBaseUrl = 'https://api.anthropic.com';

/** How to reach one Claude model. */
export interface AnthropicAdapterOptions {
  /** The provider's model name, sent as `model` (`claude-sonnet-5-5`, ...). */
  model: string;
  /** Registry model id, named in every error so failures can be traced; defaults to `model`. */
  modelId?: string | undefined;
  /** Registry provider id reported as the adapter's `provider`; defaults to `anthropic`. */
  providerId?: string | undefined;
  /**
   * API root without `/v1` (a trailing `/v1` is removed, since the SDK adds it). Defaults to
   * {@link defaultAnthropicBaseUrl}; `ANTHROPIC_BASE_URL` is deliberately not read: the registry
   * says where a provider lives.
   */
  baseURL?: string | undefined;
  /**
   * NAME of the environment variable that holds the API key (default `ANTHROPIC_API_KEY`). The key
   * is read once, when the adapter is created, and is never logged, echoed or exposed on the adapter.
   */
  apiKeyEnv?: string | undefined;
  /** Where `apiKeyEnv` is looked up; defaults to `process.env`. Tests inject their own. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Headers for every call (attribution and the like, never secrets). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** `max_tokens` for requests that name none; Anthropic requires the field. Default 1024. */
  defaultMaxOutputTokens?: number | undefined;
  /**
   * Send `temperature` (clamped to Anthropic's 0..1, where OpenAI's goes to 2) and `top_p`.
   * Off by default: API version 2026-10-21, which `@anthropic-ai/sdk` 1.x sends, answers any
   * sampling parameter, even `temperature: 1`, with a 400. Turn it on only for an endpoint that
   * accepts them: an Anthropic-compatible gateway, or Anthropic with `anthropic-version:
   * 2023-06-01` set in `headers` (on a model that still honours them).
   */
  sendSamplingParameters?: boolean | undefined;
  /**
   * The SDK's own timeout up to the response headers, in milliseconds. Large on purpose (default
   * one hour): the engine owns connect, first-token, idle and total deadlines and aborts through
   * the request's signal; this is only a backstop.
   */
  timeoutMs?: number | undefined;
}

/**
 * Creates the adapter for one Claude model over the official `@anthropic-ai/sdk` client. The client
 * never retries (`maxRetries: 0`): retries, failover and deadlines belong to the engine. SDK logging
 * is off and its traces never record message content, so players' words stay out of logs.
 *
 * A missing API key does not throw here: every call then fails with a `ProviderError` of kind
 * `auth` naming the variable, so one unconfigured provider cannot stop the others from starting.
 */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ChatModelAdapterV1 {
  const provider = options.providerId ?? 'anthropic';
  const context: AnthropicErrorContext = { provider, modelId: options.modelId ?? options.model };
  const client = createClient(options, context);
  const convert = (request: ChatRequest): AnthropicRequestBody => {
    if (request.responseFormat === 'json') {
      throw adapterError(
        'bad_request',
        'JSON mode was requested, but the Anthropic Messages API has no JSON flag and this adapter declares jsonMode: false',
        context,
      );
    }
    return convertToAnthropicRequest(request, {
      model: options.model,
      defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? 1024,
      sendSamplingParameters: options.sendSamplingParameters ?? false,
      context,
    });
  };

  return {
    specificationVersion: 'v1',
    provider,
    providerModel: options.model,

    async doGenerate(request: ChatRequest): Promise<GenerateResult> {
      const body = convert(request);
      const anthropic = client();
      let message: unknown;
      try {
        message = await anthropic.messages.create({ ...body, stream: false }, requestOptions(request));
      } catch (error) {
        throw mapAnthropicError(error, context, request.abortSignal);
      }
      return mapAnthropicResponse(message, context);
    },

    async doStream(request: ChatRequest): Promise<StreamResult> {
      const body = convert(request);
      const anthropic = client();
      let response: Response;
      try {
        response = await anthropic.messages
          .create({ ...body, stream: true }, requestOptions(request))
          .asResponse();
      } catch (error) {
        throw mapAnthropicError(error, context, request.abortSignal);
      }
      const diagnostics = { malformedChunksSkipped: 0 };
      const stream = readAnthropicStream(response, {
        context,
        abortSignal: request.abortSignal,
        diagnostics,
      });
      return { stream, diagnostics };
    },
  };
}

/**
 * Builds the SDK client once, or an accessor that throws the `auth` error when the key is
 * missing. The key lives only inside the client, never on the adapter object.
 */
function createClient(options: AnthropicAdapterOptions, context: AnthropicErrorContext): () => Anthropic {
  const apiKeyEnv = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
  const apiKey = (options.env ?? process.env)[apiKeyEnv];
  if (apiKey === undefined || apiKey.trim() === '') {
    const error = new ProviderError({
      kind: 'auth',
      message: `No API key for ${context.provider} (${context.modelId}): the environment variable ${apiKeyEnv} is not set. Set ${apiKeyEnv} to an Anthropic API key, or point the provider's apiKeyEnv at the variable that holds one; ${adviceFor('auth')}.`,
      provider: context.provider,
      modelId: context.modelId,
    });
    return () => {
      throw error;
    };
  }
  const client = new Anthropic({
    apiKey,
    baseURL: normaliseBaseUrl(options.baseURL ?? defaultAnthropicBaseUrl),
    maxRetries: 0,
    timeout: options.timeoutMs ?? 60 * 60 * 1000,
    defaultHeaders: { ...options.headers },
    logLevel: 'off',
    openTelemetry: { traces: { contentMode: 'metadata_only' } },
  });
  return () => client;
}

function normaliseBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function requestOptions(request: ChatRequest) {
  return {
    maxRetries: 0,
    ...(request.abortSignal === undefined ? {} : { signal: request.abortSignal }),
    ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
  };
}
