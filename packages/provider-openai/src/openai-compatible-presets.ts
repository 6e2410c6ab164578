import type { MaxTokensParameter } from './map-openai-request.ts';

/** How to reach one family of OpenAI-compatible servers. */
export interface OpenAICompatiblePreset {
  /** The `/v1` base URL that `/chat/completions` is appended to. */
  baseUrl: string;
  /** Environment variable holding the key, by name; the key itself never appears in config. */
  apiKeyEnv: string | undefined;
  /** Whether a call without the key must fail as `auth` instead of going out unauthenticated. */
  apiKeyRequired: boolean;
  /**
   * What to send as the bearer token when no key is needed: OpenAI-compatible clients always send
   * one, some servers expect the header to be there, and local servers ignore its value.
   */
  placeholderApiKey: string;
  /** See {@link MaxTokensParameter} for why this differs between OpenAI and the rest. */
  maxTokensParameter: MaxTokensParameter;
  /** Runs on the studio's own hardware: the player's words never leave it. */
  local: boolean;
  /** Whether the server reports usage in streams when asked with `stream_options.include_usage`. */
  streamUsage: boolean;
}

const placeholder = 'not-needed';

/**
 * The OpenAI-compatible endpoints Switchboard knows by name. A provider entry picks one with
 * `preset` and may still override the base URL, key variable and headers.
 */
export const openAICompatiblePresets = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    apiKeyRequired: true,
    placeholderApiKey: placeholder,
    maxTokensParameter: 'max_completion_tokens',
    local: false,
    streamUsage: true,
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    apiKeyRequired: true,
    placeholderApiKey: placeholder,
    maxTokensParameter: 'max_tokens',
    local: false,
    streamUsage: true,
  },
  ollama: {
    baseUrl: 'http://127.0.0.1:11434/v1',
    apiKeyEnv: undefined,
    apiKeyRequired: false,
    placeholderApiKey: 'ollama',
    maxTokensParameter: 'max_tokens',
    local: true,
    streamUsage: true,
  },
  lmstudio: {
    baseUrl: 'http://127.0.0.1:1234/v1',
    apiKeyEnv: undefined,
    apiKeyRequired: false,
    placeholderApiKey: 'lm-studio',
    maxTokensParameter: 'max_tokens',
    local: true,
    streamUsage: true,
  },
  vllm: {
    baseUrl: 'http://127.0.0.1:8000/v1',
    // vLLM checks a key only when started with --api-key; without one any string passes.
    apiKeyEnv: undefined,
    apiKeyRequired: false,
    placeholderApiKey: 'EMPTY',
    maxTokensParameter: 'max_tokens',
    local: true,
    streamUsage: true,
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    apiKeyRequired: true,
    placeholderApiKey: placeholder,
    maxTokensParameter: 'max_tokens',
    local: false,
    streamUsage: true,
  },
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    apiKeyEnv: 'TOGETHER_API_KEY',
    apiKeyRequired: true,
    placeholderApiKey: placeholder,
    maxTokensParameter: 'max_tokens',
    local: false,
    streamUsage: true,
  },
} as const satisfies Record<string, OpenAICompatiblePreset>;

/** A preset's name: `openai`, `openrouter`, `ollama`, `lmstudio`, `vllm`, `groq` or `together`. */
export type OpenAICompatiblePresetName = keyof typeof openAICompatiblePresets;

/** True when `name` is one of {@link openAICompatiblePresets}. */
export function isOpenAICompatiblePresetName(name: string): name is OpenAICompatiblePresetName {
  return Object.hasOwn(openAICompatiblePresets, name);
}

/**
 * OpenRouter ranks apps by these headers; they are optional and never secret. Without a title the
 * calls are anonymous on OpenRouter's leaderboards, which is fine.
 */
export interface OpenRouterAttribution {
  /** Sent as `HTTP-Referer`: the site or app URL. */
  referer?: string | undefined;
  /** Sent as `X-Title`: the app name. */
  title?: string | undefined;
}

/** The attribution headers for OpenRouter, leaving out the ones not configured. */
export function openRouterAttributionHeaders(attribution: OpenRouterAttribution): Record<string, string> {
  const headers: Record<string, string> = {};
  if (attribution.referer !== undefined) headers['HTTP-Referer'] = attribution.referer;
  if (attribution.title !== undefined) headers['X-Title'] = attribution.title;
  return headers;
}
