import type { ChatModelAdapterV1, ModelSpec, ProviderSpec } from '@switchboard/core';
import { createAnthropicAdapter, type AnthropicAdapterOptions } from './anthropic-adapter.ts';

/** Settings a registry entry does not carry; everything else comes from the two specs. */
export type AnthropicProviderSpecOptions = Omit<
  AnthropicAdapterOptions,
  'model' | 'modelId' | 'providerId' | 'baseURL' | 'apiKeyEnv' | 'headers'
>;

/**
 * Creates the adapter for a registry model served by an `anthropic` provider: the provider gives
 * the base URL, the key's variable name and the headers; the model gives its wire name and id.
 * Throws when the specs do not belong together, which is a registry mistake, not a call failure.
 */
export function createAdapterFromProviderSpec(
  providerSpec: ProviderSpec,
  modelSpec: ModelSpec,
  options: AnthropicProviderSpecOptions = {},
): ChatModelAdapterV1 {
  if (providerSpec.kind !== 'anthropic') {
    throw new Error(
      `Provider ${providerSpec.id} is of kind ${providerSpec.kind}; @switchboard/provider-anthropic serves only kind 'anthropic'.`,
    );
  }
  if (modelSpec.provider !== providerSpec.id) {
    throw new Error(
      `Model ${modelSpec.id} belongs to provider ${modelSpec.provider}, not ${providerSpec.id}; pass the model's own provider spec.`,
    );
  }
  return createAnthropicAdapter({
    ...options,
    model: modelSpec.providerModel,
    modelId: modelSpec.id,
    providerId: providerSpec.id,
    baseURL: providerSpec.baseUrl,
    apiKeyEnv: providerSpec.apiKeyEnv,
    headers: providerSpec.headers,
  });
}
