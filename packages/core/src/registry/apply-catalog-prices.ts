import { canonicalJson } from './content-hash.ts';
import type { ModelPrice } from './model-spec.ts';
import type { RegistryContent } from './registry-snapshot.ts';

/** One model whose price a catalog changed. */
export interface PriceChange {
  modelId: string;
  /** `null` when the model had no price before. */
  previous: ModelPrice | null;
  next: ModelPrice;
}

/** The registry with new prices, and what changed, for the operator's confirmation and the audit log. */
export interface PriceUpdate {
  content: RegistryContent;
  /** Only real changes: a model whose price (version included) is already the catalog's is not listed. */
  changes: PriceChange[];
}

/**
 * Brings registry prices up to date from a catalog (see `importLiteLlmCatalog`): every model whose
 * `providerModel` has a catalog price takes that price. Everything else about the model, and every
 * model without a catalog row, is left alone. Local models keep their price (normally zero): a
 * hosted catalog's price for the same model name is what a cloud host charges, not what running it
 * on the studio's hardware costs. Pure: returns new content, the input is not changed.
 */
export function applyCatalogPrices(
  content: RegistryContent,
  prices: ReadonlyMap<string, ModelPrice>,
): PriceUpdate {
  const changes: PriceChange[] = [];
  const models = content.models.map((model) => {
    const next = prices.get(model.providerModel);
    if (next === undefined || model.privacy.local) return model;
    if (model.price !== null && canonicalJson(model.price) === canonicalJson(next)) return model;
    changes.push({ modelId: model.id, previous: model.price, next });
    return { ...model, price: { ...next } };
  });
  return { content: { ...content, models }, changes };
}
