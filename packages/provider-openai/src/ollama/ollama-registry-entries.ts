import type { ModelSpecInput, SafetyTier } from '@switchboard/core';
import type { OllamaInstalledModel, OllamaModelInfo } from './ollama-types.ts';

/** How installed Ollama models become registry entries. */
export interface OllamaRegistryOptions {
  /** Registry provider id of the Ollama host. Default `ollama`. */
  providerId?: string | undefined;
  /** Version stamped on the zero price. Default `ollama-local`. */
  priceVersion?: string | undefined;
  /**
   * Safety tier for every model, default 2. Local models are as careful as their weights, so set
   * it per model (below) once someone has evaluated them.
   */
  safetyTier?: SafetyTier | undefined;
  /** Safety tier per model name (`llama3.2:latest`), overriding `safetyTier`. */
  safetyTiers?: Readonly<Record<string, SafetyTier>> | undefined;
  /** Upper bound on the window, for hosts that serve less than the model allows. */
  maxContextWindow?: number | undefined;
  /** Window when `/api/show` tells none. Default 4096, Ollama's default `num_ctx`. */
  fallbackContextWindow?: number | undefined;
  /** Output limit, capped at the window. Default 4096. */
  maxOutputTokens?: number | undefined;
  qualityPriors?: ModelSpecInput['qualityPriors'] | undefined;
  latencyPriors?: ModelSpecInput['latencyPriors'] | undefined;
}

/** Until Switchboard has measured a local model, it assumes a middling one. */
const defaultQualityPriors: ModelSpecInput['qualityPriors'] = { default: 0.5 };
const defaultLatencyPriors: ModelSpecInput['latencyPriors'] = {
  timeToFirstTokenP50Ms: 600,
  timeToFirstTokenP95Ms: 3000,
  outputTokensPerSecond: 30,
};

/**
 * Turns installed Ollama models, with what `/api/show` said about each, into registry entries:
 * provider `ollama`, local privacy (the player's words never leave the studio), a zero price with a
 * version (local calls cost nothing per token, and the ledger still says which price list said so),
 * the window Ollama will serve, tools when the model reports that capability.
 */
export function ollamaRegistryEntries(
  models: readonly { installed: OllamaInstalledModel; info: OllamaModelInfo | undefined }[],
  options: OllamaRegistryOptions = {},
): ModelSpecInput[] {
  const providerId = options.providerId ?? 'ollama';
  return models.map(({ installed, info }) => {
    const served =
      info?.configuredContextLength ?? info?.contextLength ?? options.fallbackContextWindow ?? 4096;
    const contextWindow = Math.min(served, options.maxContextWindow ?? served);
    const details = info?.details ?? installed.details;
    const tags = ['ollama', 'local'];
    if (details.family !== undefined) tags.push(details.family);
    return {
      id: `${providerId}/${installed.name}`,
      provider: providerId,
      providerModel: installed.name,
      displayName: `${installed.name}${details.parameterSize === undefined ? '' : ` (${details.parameterSize})`}`,
      contextWindow,
      maxOutputTokens: Math.min(options.maxOutputTokens ?? 4096, contextWindow),
      capabilities: {
        streaming: true,
        tools: info?.capabilities.includes('tools') ?? false,
        jsonMode: true,
        systemRole: true,
        assistantPrefill: false,
      },
      price: {
        inputPerMillionMicros: 0,
        outputPerMillionMicros: 0,
        version: options.priceVersion ?? 'ollama-local',
      },
      privacy: { local: true, zeroRetention: true },
      safetyTier: options.safetyTiers?.[installed.name] ?? options.safetyTier ?? 2,
      qualityPriors: options.qualityPriors ?? defaultQualityPriors,
      latencyPriors: options.latencyPriors ?? defaultLatencyPriors,
      tags,
    };
  });
}
