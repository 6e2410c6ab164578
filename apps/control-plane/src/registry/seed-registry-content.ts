import { defaultRegistryContent, type ProviderSpec, type RegistryContent } from '@switchboard/core';
import type { Environment } from '../config/control-plane-config.ts';

/** What decides which real providers the first start seeds. */
export interface SeedSettings {
  /** Checked for each provider's `apiKeyEnv`; a set, non-empty variable seeds that provider. */
  environment: Environment;
  /** Seeds the Ollama provider, pointed here, when set. */
  ollamaUrl?: string | undefined;
}

/** The OpenAI-compatible base of an Ollama address: `http://host:11434` becomes `http://host:11434/v1`. */
export function ollamaBaseUrl(ollamaUrl: string): string {
  const url = new URL(ollamaUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/$/, '');
}

function isOllama(provider: ProviderSpec): boolean {
  return provider.preset === 'ollama' || (provider.preset === undefined && provider.id === 'ollama');
}

/**
 * The registry a first start writes: the bundled defaults, keeping the simulated provider and its
 * models always (so the embedded demo answers without any key), each real provider only when its
 * key variable is set, and Ollama only when `ollamaUrl` says where it runs (used as its base URL).
 * Models follow their provider; policies are all kept, with references to left-out models dropped.
 */
export function seedRegistryContent(settings: SeedSettings): RegistryContent {
  const defaults = defaultRegistryContent();
  const isSet = (name: string) => (settings.environment[name] ?? '').trim() !== '';
  const providers = defaults.providers.flatMap((provider): ProviderSpec[] => {
    if (provider.kind === 'sim') return [provider];
    if (isOllama(provider)) {
      return settings.ollamaUrl === undefined
        ? []
        : [{ ...provider, baseUrl: ollamaBaseUrl(settings.ollamaUrl) }];
    }
    if (provider.apiKeyEnv !== undefined) return isSet(provider.apiKeyEnv) ? [provider] : [];
    return [provider];
  });
  const providerIds = new Set(providers.map((provider) => provider.id));
  const models = defaults.models.filter((model) => providerIds.has(model.provider));
  const modelIds = new Set(models.map((model) => model.id));
  const policies = defaults.policies.map((policy) => {
    const kept = { ...policy, denyModels: policy.denyModels.filter((id) => modelIds.has(id)) };
    if (policy.allowModels !== undefined)
      kept.allowModels = policy.allowModels.filter((id) => modelIds.has(id));
    return kept;
  });
  return { providers, models, policies };
}
