/**
 * @switchboard/provider-openai: the adapter for every OpenAI-compatible endpoint (OpenAI,
 * OpenRouter, Ollama's `/v1`, LM Studio, vLLM, Groq, Together), OpenRouter's model catalogue
 * import, and Ollama's native model management.
 */
export {
  createOpenAICompatibleAdapter,
  type OpenAICompatibleAdapterOptions,
} from './openai-compatible-adapter.ts';
export {
  openAICompatiblePresets,
  isOpenAICompatiblePresetName,
  openRouterAttributionHeaders,
  type OpenAICompatiblePreset,
  type OpenAICompatiblePresetName,
  type OpenRouterAttribution,
} from './openai-compatible-presets.ts';
export {
  createAdapterFromProviderSpec,
  type ProviderSpecAdapterOptions,
} from './adapter-from-provider-spec.ts';
export { mapChatRequest, type MaxTokensParameter, type RequestMappingOptions } from './map-openai-request.ts';
export { mapChatCompletion } from './map-openai-response.ts';
export { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
export { mapOpenAIUsage } from './map-openai-usage.ts';
export { createSseParser, type ServerSentEvent, type SseParser } from './sse/sse-parser.ts';
export {
  importOpenRouterModels,
  type ModelSpecDraft,
  type OpenRouterImport,
  type OpenRouterImportedModel,
  type OpenRouterImportOptions,
  type OpenRouterSkippedModel,
} from './openrouter/import-openrouter-models.ts';
export {
  createOllamaManager,
  type OllamaCallOptions,
  type OllamaManager,
  type OllamaManagerOptions,
} from './ollama/ollama-manager.ts';
export { ollamaRegistryEntries, type OllamaRegistryOptions } from './ollama/ollama-registry-entries.ts';
export type {
  OllamaInstalledModel,
  OllamaLoadedModel,
  OllamaModelDetails,
  OllamaModelInfo,
  OllamaPullProgress,
} from './ollama/ollama-types.ts';
