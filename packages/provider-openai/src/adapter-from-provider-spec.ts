import {
  SwitchboardValidationError,
  type ChatModelAdapterV1,
  type ModelSpec,
  type ProviderSpec,
} from '@switchboard/core';
import {
  createOpenAICompatibleAdapter,
  type OpenAICompatibleAdapterOptions,
} from './openai-compatible-adapter.ts';
import { isOpenAICompatiblePresetName } from './openai-compatible-presets.ts';

/** What a registry entry cannot say: where secrets are read, and test seams. */
export type ProviderSpecAdapterOptions = Pick<
  OpenAICompatibleAdapterOptions,
  'env' | 'fetch' | 'attribution' | 'usageGraceMs' | 'drainWindowMs' | 'maxTokensParameter' | 'streamUsage'
>;

function invalid(path: string[], message: string): SwitchboardValidationError {
  return new SwitchboardValidationError(`Cannot build an adapter: ${path.join('.')}: ${message}`, [
    { path, message },
  ]);
}

/**
 * Builds the adapter for a registry model from its provider entry. The preset is the entry's
 * `preset`, or its `id` when that names a preset (a provider called `openai` with no preset is the
 * OpenAI preset); `baseUrl`, `apiKeyEnv` and `headers` in the entry override the preset's.
 */
export function createAdapterFromProviderSpec(
  providerSpec: ProviderSpec,
  modelSpec: Pick<ModelSpec, 'id' | 'provider' | 'providerModel'>,
  options: ProviderSpecAdapterOptions = {},
): ChatModelAdapterV1 {
  if (providerSpec.kind !== 'openai-compatible') {
    throw invalid(
      ['providers', providerSpec.id, 'kind'],
      `provider kind "${providerSpec.kind}" is not served by @switchboard/provider-openai; it builds only "openai-compatible" adapters`,
    );
  }
  if (modelSpec.provider !== providerSpec.id) {
    throw invalid(
      ['models', modelSpec.id, 'provider'],
      `the model belongs to provider "${modelSpec.provider}", not "${providerSpec.id}"`,
    );
  }
  const presetName =
    providerSpec.preset ?? (isOpenAICompatiblePresetName(providerSpec.id) ? providerSpec.id : undefined);
  if (presetName !== undefined && !isOpenAICompatiblePresetName(presetName)) {
    throw invalid(['providers', providerSpec.id, 'preset'], `unknown preset "${presetName}"`);
  }
  return createOpenAICompatibleAdapter({
    ...options,
    preset: presetName,
    provider: providerSpec.id,
    modelId: modelSpec.id,
    providerModel: modelSpec.providerModel,
    baseUrl: providerSpec.baseUrl,
    apiKeyEnv: providerSpec.apiKeyEnv,
    headers: providerSpec.headers,
  });
}
