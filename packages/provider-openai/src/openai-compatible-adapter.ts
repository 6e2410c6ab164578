import {
  isProviderError,
  ProviderError,
  SwitchboardValidationError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type GenerateResult,
  type StreamDiagnostics,
  type StreamResult,
} from '@switchboard/core';
import { abortedError, httpStatusError, toProviderError, type ErrorContext } from './map-openai-error.ts';
import { mapChatRequest, type MaxTokensParameter } from './map-openai-request.ts';
import { mapChatCompletion } from './map-openai-response.ts';
import {
  isOpenAICompatiblePresetName,
  openAICompatiblePresets,
  openRouterAttributionHeaders,
  type OpenAICompatiblePreset,
  type OpenAICompatiblePresetName,
  type OpenRouterAttribution,
} from './openai-compatible-presets.ts';
import { readOpenAIStream } from './openai-stream-reader.ts';
import {
  fetchTransport,
  nodeHttpTransport,
  readBodyText,
  type HttpTransport,
  type TransportResponse,
} from './transport/http-transport.ts';

/** Everything that configures one adapter: one model on one OpenAI-compatible endpoint. */
export interface OpenAICompatibleAdapterOptions {
  /** The provider's name for the model, sent on the wire as `model`. */
  providerModel: string;
  /** Start from a known endpoint; the fields below override the preset's. */
  preset?: OpenAICompatiblePresetName | undefined;
  /** Registry provider id, named in errors and on the adapter. Defaults to the preset name. */
  provider?: string | undefined;
  /** Registry model id, named in errors. Defaults to `providerModel`. */
  modelId?: string | undefined;
  /** The `/v1` base URL. Required without a preset. */
  baseUrl?: string | undefined;
  /** Name of the environment variable that holds the API key (never the key itself). */
  apiKeyEnv?: string | undefined;
  /**
   * Whether a missing key fails every call as `auth`. Defaults to the preset's rule, or to `true`
   * when there is no preset and `apiKeyEnv` is set.
   */
  apiKeyRequired?: boolean | undefined;
  /** Where `apiKeyEnv` is looked up, once, at construction. Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Headers sent on every call (attribution and the like, never secrets). */
  headers?: Record<string, string> | undefined;
  /** OpenRouter's attribution headers; only used with the `openrouter` preset. */
  attribution?: OpenRouterAttribution | undefined;
  /** Overrides the preset's choice of `max_tokens` or `max_completion_tokens`. */
  maxTokensParameter?: MaxTokensParameter | undefined;
  /** Ask for usage in streams (`stream_options.include_usage`). Defaults to the preset's, else true. */
  streamUsage?: boolean | undefined;
  /** After a streamed finish reason, how long to wait for the trailing usage chunk. Default 1000 ms. */
  usageGraceMs?: number | undefined;
  /** After a streamed answer is complete, how long the rest of the body may take. Default 250 ms. */
  drainWindowMs?: number | undefined;
  /**
   * A `fetch` to send requests with (tests, proxies, runtimes without `node:http`). Without one,
   * requests go through `node:http`/`node:https` with kept-alive connections.
   */
  fetch?: typeof globalThis.fetch | undefined;
}

/** OpenRouter calls carry this app title unless configured otherwise. */
const defaultAttribution: OpenRouterAttribution = { title: 'Switchboard' };

interface ResolvedSettings {
  provider: string;
  baseUrl: string;
  headers: Record<string, string>;
  maxTokensParameter: MaxTokensParameter;
  streamUsage: boolean;
  /** The key to send, or the `auth` error every call raises because the required key is missing. */
  apiKey: string | ProviderError;
}

function invalid(field: string, message: string): SwitchboardValidationError {
  return new SwitchboardValidationError(`Invalid OpenAI-compatible adapter options: ${field}: ${message}`, [
    { path: [field], message },
  ]);
}

function resolvePreset(options: OpenAICompatibleAdapterOptions): OpenAICompatiblePreset | undefined {
  if (options.preset === undefined) return undefined;
  if (!isOpenAICompatiblePresetName(options.preset)) {
    const known = Object.keys(openAICompatiblePresets).join(', ');
    throw invalid('preset', `unknown preset "${String(options.preset)}"; expected one of ${known}`);
  }
  return openAICompatiblePresets[options.preset];
}

function resolveSettings(options: OpenAICompatibleAdapterOptions): ResolvedSettings {
  const preset = resolvePreset(options);
  const provider = options.provider ?? options.preset;
  if (provider === undefined) throw invalid('provider', 'name the provider id, or pick a preset');
  const baseUrl = options.baseUrl ?? preset?.baseUrl;
  if (baseUrl === undefined) throw invalid('baseUrl', 'set the base URL of the /v1 API, or pick a preset');

  const apiKeyEnv = options.apiKeyEnv ?? preset?.apiKeyEnv;
  const required = options.apiKeyRequired ?? preset?.apiKeyRequired ?? apiKeyEnv !== undefined;
  const env = options.env ?? process.env;
  const found = apiKeyEnv === undefined ? undefined : env[apiKeyEnv];
  const apiKey = found !== undefined && found.trim() !== '' ? found : undefined;
  const missingKeyError = (): ProviderError =>
    new ProviderError({
      kind: 'auth',
      message:
        apiKeyEnv === undefined
          ? `Provider "${provider}" needs an API key but names no environment variable for it: set apiKeyEnv on the provider.`
          : `The environment variable ${apiKeyEnv} is not set, so calls to provider "${provider}" cannot authenticate: set ${apiKeyEnv} to the provider's API key where Switchboard runs.`,
      provider,
      modelId: options.modelId ?? options.providerModel,
    });
  const attribution =
    options.preset === 'openrouter'
      ? openRouterAttributionHeaders({ ...defaultAttribution, ...options.attribution })
      : {};
  return {
    provider,
    baseUrl,
    headers: { ...attribution, ...options.headers },
    maxTokensParameter: options.maxTokensParameter ?? preset?.maxTokensParameter ?? 'max_tokens',
    streamUsage: options.streamUsage ?? preset?.streamUsage ?? true,
    apiKey: apiKey ?? (required ? missingKeyError() : (preset?.placeholderApiKey ?? 'not-needed')),
  };
}

/**
 * Header names in lower case, so that one header given twice in different cases (a request's
 * `Accept` and the adapter's `accept`) travels once, the later winning, instead of twice: HTTP
 * names are case-insensitive, an object's keys are not.
 */
function lowerCaseNames(headers: Readonly<Record<string, string>>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}

class OpenAICompatibleAdapter implements ChatModelAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly provider: string;
  readonly providerModel: string;
  private readonly modelId: string;
  private readonly settings: ResolvedSettings;
  private readonly usageGraceMs: number;
  private readonly drainWindowMs: number;
  private readonly transport: HttpTransport;
  private readonly completionsUrl: string;
  /** Headers of every call, or the `auth` error every call raises when the required key is missing. */
  private readonly baseHeaders: Readonly<Record<string, string>> | ProviderError;

  constructor(options: OpenAICompatibleAdapterOptions) {
    this.settings = resolveSettings(options);
    this.provider = this.settings.provider;
    this.providerModel = options.providerModel;
    this.modelId = options.modelId ?? options.providerModel;
    this.usageGraceMs = options.usageGraceMs ?? 1000;
    this.drainWindowMs = options.drainWindowMs ?? 250;
    this.transport = options.fetch === undefined ? nodeHttpTransport : fetchTransport(options.fetch);
    this.completionsUrl = `${this.settings.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const apiKey = this.settings.apiKey;
    this.baseHeaders = isProviderError(apiKey)
      ? apiKey
      : {
          ...lowerCaseNames(this.settings.headers),
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
        };
  }

  async doGenerate(request: ChatRequest): Promise<GenerateResult> {
    const context = this.errorContext(request);
    const params = mapChatRequest(request, this.requestMapping());
    const response = await this.send(request, params, 'application/json', context);
    let body: unknown;
    try {
      body = JSON.parse(await readBodyText(response.body, request.abortSignal));
    } catch (error) {
      throw toProviderError(error, context);
    }
    return mapChatCompletion(body, context);
  }

  async doStream(request: ChatRequest): Promise<StreamResult> {
    const context = this.errorContext(request);
    const expectUsage = this.settings.streamUsage;
    const params = {
      ...mapChatRequest(request, this.requestMapping()),
      stream: true as const,
      ...(expectUsage ? { stream_options: { include_usage: true } } : {}),
    };
    const response = await this.send(request, params, 'text/event-stream', context);
    const diagnostics: StreamDiagnostics = { malformedChunksSkipped: 0 };
    const stream = readOpenAIStream(response.body, {
      ...context,
      expectUsage,
      usageGraceMs: this.usageGraceMs,
      drainWindowMs: this.drainWindowMs,
      diagnostics,
    });
    return { stream, diagnostics };
  }

  /**
   * Sends one call and resolves once a 2xx answer's headers are in. The provider retries nothing
   * itself and sets no timeout: the engine owns retries, backoff, failover and every deadline, and
   * stops a call through the request's signal. A status outside 2xx is read whole and classified.
   */
  private async send(
    request: ChatRequest,
    params: object,
    accept: string,
    context: ErrorContext,
  ): Promise<TransportResponse> {
    if (isProviderError(this.baseHeaders)) throw this.baseHeaders;
    if (context.signal?.aborted === true) throw abortedError(context);
    const headers =
      request.headers === undefined
        ? { ...this.baseHeaders, accept }
        : { ...this.baseHeaders, accept, ...lowerCaseNames(request.headers) };
    let response: TransportResponse;
    let errorText: string | undefined;
    try {
      response = await this.transport({
        url: this.completionsUrl,
        headers,
        body: JSON.stringify(params),
        signal: request.abortSignal,
      });
      if (response.status >= 200 && response.status < 300) return response;
      errorText = await readBodyText(response.body, request.abortSignal);
    } catch (error) {
      throw toProviderError(error, context);
    }
    throw httpStatusError(response.status, response.headers, errorText, context);
  }

  private errorContext(request: ChatRequest): ErrorContext {
    return { provider: this.provider, modelId: this.modelId, signal: request.abortSignal };
  }

  private requestMapping() {
    return { providerModel: this.providerModel, maxTokensParameter: this.settings.maxTokensParameter };
  }
}

/**
 * Creates the adapter for one model on an OpenAI-compatible endpoint (OpenAI, OpenRouter, Ollama's
 * `/v1`, LM Studio, vLLM, Groq, Together, or any other base URL). Requests and streamed answers go
 * over `node:http` directly (or an injected `fetch`); the official `openai` package supplies the
 * wire types. Invalid options (unknown preset, no base URL) throw a `SwitchboardValidationError` here;
 * a missing API key does not: every call then rejects with a `ProviderError` of kind `auth` that
 * names the variable, so one unconfigured provider cannot take the others down.
 */
export function createOpenAICompatibleAdapter(options: OpenAICompatibleAdapterOptions): ChatModelAdapterV1 {
  return new OpenAICompatibleAdapter(options);
}
