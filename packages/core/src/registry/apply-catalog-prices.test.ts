import { describe, expect, it } from 'vitest';
import { applyCatalogPrices } from './apply-catalog-prices.ts';
import { defaultRegistryContent } from './default-registry.ts';
import { importLiteLlmCatalog } from './import-litellm-catalog.ts';
import type { ModelPrice } from './model-spec.ts';

const newCatalog = {
  'gpt-4o': {
    mode: 'chat',
    litellm_provider: 'openai',
    input_cost_per_token: 2e-6,
    output_cost_per_token: 8e-6,
    cache_read_input_token_cost: 1e-6,
  },
  'claude-haiku-4-5': {
    mode: 'chat',
    litellm_provider: 'anthropic',
    input_cost_per_token: 1e-6,
    output_cost_per_token: 5e-6,
    cache_read_input_token_cost: 1e-7,
    cache_creation_input_token_cost: 1.25e-6,
  },
  'meta-llama/llama-3.3-70b-instruct': {
    mode: 'chat',
    litellm_provider: 'openrouter',
    input_cost_per_token: 1.3e-7,
    output_cost_per_token: 4e-7,
  },
  'llama3.2': {
    mode: 'chat',
    litellm_provider: 'together_ai',
    input_cost_per_token: 6e-8,
    output_cost_per_token: 6e-8,
  },
};

describe('applyCatalogPrices', () => {
  const content = defaultRegistryContent();
  const { prices } = importLiteLlmCatalog(newCatalog, { priceVersion: 'litellm-2026-09-01' });
  const { content: updated, changes } = applyCatalogPrices(content, prices);
  const priceOf = (id: string) => updated.models.find((model) => model.id === id)?.price;

  it('updates the price of every model whose provider model name the catalog prices', () => {
    expect(priceOf('openai/gpt-4o')).toEqual({
      inputPerMillionMicros: 2_000_000,
      outputPerMillionMicros: 8_000_000,
      cacheReadPerMillionMicros: 1_000_000,
      version: 'litellm-2026-09-01',
    });
    expect(priceOf('openrouter/meta-llama/llama-3.3-70b-instruct')).toMatchObject({
      inputPerMillionMicros: 130_000,
    });
  });

  it('lists each change with the price before and after, including a first price', () => {
    expect(changes.map((change) => change.modelId)).toEqual([
      'openai/gpt-4o',
      'anthropic/claude-haiku-4-5',
      'openrouter/meta-llama/llama-3.3-70b-instruct',
    ]);
    const first = changes.find((change) => change.modelId === 'openrouter/meta-llama/llama-3.3-70b-instruct');
    expect(first?.previous).toBeNull();
    const gpt4o = changes.find((change) => change.modelId === 'openai/gpt-4o');
    expect(gpt4o?.previous?.inputPerMillionMicros).toBe(2_500_000);
    expect(gpt4o?.next.inputPerMillionMicros).toBe(2_000_000);
  });

  it('stamps a new price version even when the amounts are unchanged, so the ledger names the list', () => {
    // Haiku's amounts are the same as the bundled ones; only the version moved.
    expect(priceOf('anthropic/claude-haiku-4-5')?.version).toBe('litellm-2026-09-01');
  });

  it('reports nothing when the prices are already the catalog’s', () => {
    expect(applyCatalogPrices(updated, prices).changes).toEqual([]);
  });

  it('never prices a local model from a hosted catalog', () => {
    expect(priceOf('ollama/llama3.2')).toEqual(
      content.models.find((model) => model.id === 'ollama/llama3.2')?.price,
    );
  });

  it('leaves every other model and field alone, and the input unchanged', () => {
    const before = defaultRegistryContent();
    for (const [index, model] of updated.models.entries()) {
      const original = content.models[index]!;
      expect({ ...model, price: null }).toEqual({ ...original, price: null });
      if (!changes.some((change) => change.modelId === model.id)) expect(model.price).toEqual(original.price);
    }
    expect(content).toEqual(before);
    expect(updated.providers).toEqual(content.providers);
    expect(updated.policies).toEqual(content.policies);
  });

  it('does not share price objects with the map, so editing one cannot change the other', () => {
    const map = new Map<string, ModelPrice>([
      ['gpt-4o', { inputPerMillionMicros: 1, outputPerMillionMicros: 1, version: 'v' }],
    ]);
    const result = applyCatalogPrices(content, map);
    map.get('gpt-4o')!.inputPerMillionMicros = 99;
    expect(
      result.content.models.find((model) => model.id === 'openai/gpt-4o')?.price?.inputPerMillionMicros,
    ).toBe(1);
  });
});
