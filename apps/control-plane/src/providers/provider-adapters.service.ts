import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  canonicalJson,
  sha256Hex,
  type ChatModelAdapterV1,
  type ModelSpec,
  type ProviderSpec,
  type RegistrySnapshot,
} from '@switchboard/core';
import { createAdapterFromProviderSpec as createAnthropicAdapter } from '@switchboard/provider-anthropic';
import { createAdapterFromProviderSpec as createOpenAiCompatibleAdapter } from '@switchboard/provider-openai';
import { createSimulatedAdapterForModel } from '@switchboard/provider-sim';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig, Environment } from '../config/control-plane-config.ts';
import { capabilityAdaptedAdapter } from './capability-adapted-adapter.ts';

/** An adapter, or `null` for a model that cannot be called (no provider entry, or building it failed). */
type Built = ChatModelAdapterV1 | null;

/**
 * Builds the provider adapter of each registry model from its `ProviderSpec`: kind `sim` the
 * in-process simulator, `openai-compatible` `@switchboard/provider-openai`, `anthropic`
 * `@switchboard/provider-anthropic`. API keys are read by the adapters themselves from the
 * environment the control plane was started with, by the variable name the provider entry gives.
 *
 * Adapters are kept per (provider spec hash, model spec hash), so a registry change rebuilds only
 * the adapters whose specs changed, and an HTTP client keeps its pooled connections across
 * versions; per snapshot the lookup is one map read. Adapters of specs no longer in the newest
 * snapshot are dropped.
 */
@Injectable()
export class ProviderAdaptersService {
  readonly #logger = new Logger('ProviderAdapters');
  private readonly bySpecs = new Map<string, Built>();
  private readonly bySnapshot = new WeakMap<RegistrySnapshot, Map<string, Built>>();
  private newestVersion = -1;
  private readonly environment: Environment;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.environment = config.environment;
  }

  /** The adapter of `modelId` in `snapshot`; `undefined` when the model cannot be called. */
  adapterFor(snapshot: RegistrySnapshot, modelId: string): ChatModelAdapterV1 | undefined {
    return this.adaptersOf(snapshot).get(modelId) ?? undefined;
  }

  private adaptersOf(snapshot: RegistrySnapshot): Map<string, Built> {
    let adapters = this.bySnapshot.get(snapshot);
    if (adapters !== undefined) return adapters;
    adapters = new Map();
    const providers = new Map(snapshot.providers.map((provider) => [provider.id, provider]));
    const providerHashes = new Map<string, string>();
    const used = new Set<string>();
    for (const model of snapshot.models) {
      const provider = providers.get(model.provider);
      if (provider === undefined) {
        adapters.set(model.id, null);
        continue;
      }
      let providerHash = providerHashes.get(provider.id);
      if (providerHash === undefined) {
        providerHash = sha256Hex(canonicalJson(provider));
        providerHashes.set(provider.id, providerHash);
      }
      const key = `${providerHash}:${sha256Hex(canonicalJson(model))}`;
      used.add(key);
      let built = this.bySpecs.get(key);
      if (built === undefined) {
        built = this.build(provider, model);
        this.bySpecs.set(key, built);
      }
      adapters.set(model.id, built);
    }
    if (snapshot.version > this.newestVersion) {
      this.newestVersion = snapshot.version;
      for (const key of this.bySpecs.keys()) if (!used.has(key)) this.bySpecs.delete(key);
    }
    this.bySnapshot.set(snapshot, adapters);
    return adapters;
  }

  private build(provider: ProviderSpec, model: ModelSpec): Built {
    try {
      const inner = this.buildInner(provider, model);
      return capabilityAdaptedAdapter(inner, model.capabilities, provider.kind === 'anthropic');
    } catch (error) {
      // A registry entry the adapter refuses: the model is skipped (`no-adapter`), the rest still serve.
      this.#logger.warn(
        `Model ${model.id} cannot be called: its adapter (provider "${provider.id}", kind ${provider.kind}) ` +
          `could not be built: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
  }

  private buildInner(provider: ProviderSpec, model: ModelSpec): ChatModelAdapterV1 {
    switch (provider.kind) {
      case 'sim':
        return createSimulatedAdapterForModel(model);
      case 'openai-compatible':
        return createOpenAiCompatibleAdapter(provider, model, { env: this.environment });
      case 'anthropic':
        return createAnthropicAdapter(provider, model, { env: this.environment });
    }
  }
}
