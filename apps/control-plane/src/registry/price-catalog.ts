import {
  applyCatalogPrices,
  importLiteLlmCatalog,
  type ModelPrice,
  type ModelSpec,
  type PriceChange,
  type ProviderSpec,
  type RegistryContent,
} from '@switchboard/core';
import { importOpenRouterModels } from '@switchboard/provider-openai';
import { ApiError } from '../errors/api-error.ts';
import { isPlainObject } from './merge-patch.ts';

/** The two price lists the import understands. */
export type CatalogFormat = 'litellm' | 'openrouter';

/** A catalog entry that could not be used, and why. */
export interface SkippedCatalogEntry {
  /** The LiteLLM key, or the OpenRouter model id (`#<index>` when the entry had none). */
  key: string;
  reason: string;
}

/** Prices read from a catalog, keyed by provider model name, and which registry models they may price. */
export interface PriceCatalog {
  format: CatalogFormat;
  prices: Map<string, ModelPrice>;
  skipped: SkippedCatalogEntry[];
  /** OpenRouter's listing prices OpenRouter's models only; LiteLLM's keys already name the model. */
  covers(model: ModelSpec, providers: ReadonlyMap<string, ProviderSpec>): boolean;
}

/** The outcome of pricing the registry from a catalog. */
export interface CatalogPricing {
  content: RegistryContent;
  changes: PriceChange[];
  /** Hosted models in scope that the catalog has no price for; their price is unchanged. */
  unmatchedModels: string[];
}

/** `openrouter` for a `GET /api/v1/models` body (`{ data: [...] }`), else `litellm`. */
export function detectCatalogFormat(body: unknown): CatalogFormat {
  if (!isPlainObject(body)) {
    throw ApiError.invalidRequest(
      [
        {
          path: '(root)',
          message: 'expected a LiteLLM catalog object or an OpenRouter listing { "data": [...] }',
        },
      ],
      'The price catalog is not usable',
    );
  }
  return Array.isArray(body.data) ? 'openrouter' : 'litellm';
}

function isOpenRouter(provider: ProviderSpec | undefined): boolean {
  return (
    provider !== undefined &&
    (provider.preset === 'openrouter' || (provider.preset === undefined && provider.id === 'openrouter'))
  );
}

/** Reads either catalog format into prices stamped with `priceVersion`. */
export function readPriceCatalog(body: unknown, priceVersion: string): PriceCatalog {
  const format = detectCatalogFormat(body);
  if (format === 'litellm') {
    const imported = importLiteLlmCatalog(body, { priceVersion });
    return { format, prices: imported.prices, skipped: imported.skipped, covers: () => true };
  }
  const imported = importOpenRouterModels(body, { priceVersion });
  const prices = new Map<string, ModelPrice>();
  const skipped: SkippedCatalogEntry[] = imported.skipped.map((entry) => ({
    key: entry.id ?? `#${entry.index}`,
    reason: entry.reason,
  }));
  for (const model of imported.models) {
    if (model.price === null)
      skipped.push({ key: model.draft.providerModel, reason: model.notes.join('; ') });
    else prices.set(model.draft.providerModel, model.price);
  }
  return {
    format,
    prices,
    skipped,
    covers: (model, providers) => isOpenRouter(providers.get(model.provider)),
  };
}

/**
 * Brings the prices of the registry's models in the catalog's scope up to date (core's
 * `applyCatalogPrices`), leaving every other model and field alone.
 */
export function priceRegistry(content: RegistryContent, catalog: PriceCatalog): CatalogPricing {
  const providers = new Map(content.providers.map((provider) => [provider.id, provider]));
  const inScope = content.models.filter((model) => catalog.covers(model, providers));
  const { content: priced, changes } = applyCatalogPrices({ ...content, models: inScope }, catalog.prices);
  const repriced = new Map(priced.models.map((model) => [model.id, model]));
  const unmatchedModels = inScope
    .filter((model) => !model.privacy.local && !catalog.prices.has(model.providerModel))
    .map((model) => model.id);
  return {
    content: { ...content, models: content.models.map((model) => repriced.get(model.id) ?? model) },
    changes,
    unmatchedModels,
  };
}
