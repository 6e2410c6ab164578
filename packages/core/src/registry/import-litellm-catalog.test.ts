import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCatalogPriceVersion, defaultRegistryContent } from './default-registry.ts';
import { importLiteLlmCatalog } from './import-litellm-catalog.ts';
import { modelSpecSchema } from './model-spec.ts';

/**
 * The reference catalog sits in `shared/reference` beside the project's clone (here, in CI, on a
 * laptop), so it is found by walking up from this file rather than by a fixed path.
 */
function findReferenceFile(name: string): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'shared', 'reference', name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`shared/reference/${name} not found above ${import.meta.url}`);
    directory = parent;
  }
}

const catalog: unknown = JSON.parse(readFileSync(findReferenceFile('litellm-model-prices.json'), 'utf8'));
const priceVersion = 'litellm-2026-07-24';
const imported = importLiteLlmCatalog(catalog, { priceVersion });

describe('importLiteLlmCatalog on the reference catalog', () => {
  it('imports gpt-4o at $2.50 in, $10.00 out, $1.25 cached, with a 128,000-token window', () => {
    expect(imported.prices.get('gpt-4o')).toEqual({
      inputPerMillionMicros: 2_500_000,
      outputPerMillionMicros: 10_000_000,
      cacheReadPerMillionMicros: 1_250_000,
      version: priceVersion,
    });
    expect(imported.models.find((model) => model.id === 'openai/gpt-4o')).toEqual({
      id: 'openai/gpt-4o',
      provider: 'openai',
      providerModel: 'gpt-4o',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      capabilities: {
        streaming: true,
        tools: true,
        jsonMode: true,
        systemRole: true,
        assistantPrefill: false,
      },
      price: imported.prices.get('gpt-4o'),
    });
  });

  it('imports Anthropic rows with their cache write price and assistant prefill', () => {
    expect(imported.prices.get('claude-sonnet-4-5')).toEqual({
      inputPerMillionMicros: 3_000_000,
      outputPerMillionMicros: 15_000_000,
      cacheReadPerMillionMicros: 300_000,
      cacheWritePerMillionMicros: 3_750_000,
      version: priceVersion,
    });
    expect(imported.prices.get('claude-haiku-4-5')).toMatchObject({
      inputPerMillionMicros: 1_000_000,
      outputPerMillionMicros: 5_000_000,
      cacheReadPerMillionMicros: 100_000,
      cacheWritePerMillionMicros: 1_250_000,
    });
    const sonnet = imported.models.find((model) => model.id === 'anthropic/claude-sonnet-4-5');
    // LiteLLM leaves supports_system_messages out for Anthropic; that is not a "no".
    expect(sonnet?.capabilities).toEqual({
      streaming: true,
      tools: true,
      jsonMode: true,
      systemRole: true,
      assistantPrefill: true,
    });
    expect(sonnet).toMatchObject({ contextWindow: 200_000, maxOutputTokens: 64_000 });
  });

  it('accounts for every entry: 165 imported, 53 skipped, each with a reason', () => {
    expect(imported.models).toHaveLength(165);
    expect(imported.prices.size).toBe(165);
    expect(imported.skipped).toHaveLength(53);
    expect(imported.models.length + imported.skipped.length).toBe(Object.keys(catalog as object).length);
    expect(imported.skipped.every((skip) => skip.reason.length > 0)).toBe(true);
  });

  it('skips the modes Switchboard cannot call, saying which mode', () => {
    const byKey = new Map(imported.skipped.map((skip) => [skip.key, skip.reason]));
    expect(byKey.get('gemini-embedding-001')).toBe('mode "embedding" is not chat');
    expect(byKey.get('gpt-image-1')).toBe('mode "image_generation" is not chat');
    expect(byKey.get('gpt-4o-transcribe')).toBe('mode "audio_transcription" is not chat');
    // Responses-API-only models: the adapters speak chat completions.
    expect(byKey.get('gpt-5-codex')).toBe('mode "responses" is not chat');
    const modes = imported.skipped.map((skip) => /mode "([a-z_]+)"/.exec(skip.reason)?.[1]).filter(Boolean);
    expect(new Set(modes)).toEqual(
      new Set([
        'responses',
        'image_generation',
        'audio_transcription',
        'audio_speech',
        'embedding',
        'completion',
        'realtime',
      ]),
    );
  });

  it('treats a catalog price of zero as unknown rather than free', () => {
    expect(imported.skipped).toContainEqual({
      key: 'deepseek-v3-2-251201',
      reason: 'price is zero for both input and output, which Switchboard treats as unknown rather than free',
    });
  });

  it('produces drafts that complete into valid models', () => {
    for (const draft of imported.models) {
      const result = modelSpecSchema.safeParse({
        contextWindow: 8_192,
        ...draft,
        maxOutputTokens: draft.maxOutputTokens ?? 1_024,
        safetyTier: 1,
        qualityPriors: { default: 0.5 },
        latencyPriors: {
          timeToFirstTokenP50Ms: 500,
          timeToFirstTokenP95Ms: 1_500,
          outputTokensPerSecond: 50,
        },
      });
      expect(result.success, draft.id).toBe(true);
    }
  });

  it('agrees with the bundled default registry, whose prices were copied from this catalog by hand', () => {
    const copied = defaultRegistryContent().models.filter(
      (model) => model.price?.version === defaultCatalogPriceVersion,
    );
    expect(copied.map((model) => model.id).sort()).toEqual([
      'anthropic/claude-haiku-4-5',
      'anthropic/claude-sonnet-4-5',
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
    ]);
    for (const model of copied) {
      const draft = imported.models.find((candidate) => candidate.id === model.id);
      expect(draft, model.id).toBeDefined();
      expect(model.price, model.id).toEqual({ ...draft!.price, version: defaultCatalogPriceVersion });
      expect([model.contextWindow, model.maxOutputTokens], model.id).toEqual([
        draft!.contextWindow,
        draft!.maxOutputTokens,
      ]);
      expect(model.capabilities.tools, model.id).toBe(draft!.capabilities.tools);
      expect(model.capabilities.assistantPrefill, model.id).toBe(draft!.capabilities.assistantPrefill);
    }
  });

  it('narrows to one provider, and to named entries, reporting names it cannot find', () => {
    const anthropic = importLiteLlmCatalog(catalog, { priceVersion, provider: 'anthropic' });
    expect(anthropic.models.length).toBeGreaterThan(10);
    expect(anthropic.models.every((model) => model.provider === 'anthropic')).toBe(true);
    expect(anthropic.skipped).toEqual([]);

    const chosen = importLiteLlmCatalog(catalog, {
      priceVersion,
      only: ['gpt-4o', 'claude-haiku-4-5', 'gemini-embedding-001', 'gpt-17'],
    });
    expect(chosen.models.map((model) => model.id)).toEqual(['anthropic/claude-haiku-4-5', 'openai/gpt-4o']);
    expect(chosen.skipped).toEqual([
      { key: 'gemini-embedding-001', reason: 'mode "embedding" is not chat' },
      { key: 'gpt-17', reason: 'not in the catalog' },
    ]);
  });
});

describe('importLiteLlmCatalog on hand-made entries', () => {
  const chat = {
    mode: 'chat',
    litellm_provider: 'openai',
    input_cost_per_token: 1e-6,
    output_cost_per_token: 2e-6,
  };

  it('skips entries without a price, a provider, a mode, or with malformed fields, each with its reason', () => {
    const result = importLiteLlmCatalog(
      {
        sample_spec: { mode: 'chat' },
        unpriced: { mode: 'chat', litellm_provider: 'openai', output_cost_per_token: 1e-6 },
        orphan: { mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 },
        modeless: { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 },
        malformed: { ...chat, max_input_tokens: '128k' },
        negative: { ...chat, input_cost_per_token: -1 },
        stray: 'not a model',
        fine: chat,
      },
      { priceVersion: 'test' },
    );
    expect(result.models.map((model) => model.id)).toEqual(['openai/fine']);
    const reasons = Object.fromEntries(result.skipped.map((skip) => [skip.key, skip.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'malformed',
      'modeless',
      'negative',
      'orphan',
      'stray',
      'unpriced',
    ]);
    expect(reasons.unpriced).toContain('no price');
    expect(reasons.orphan).toContain('litellm_provider');
    expect(reasons.modeless).toContain('no mode');
    expect(reasons.malformed).toContain('max_input_tokens');
    expect(reasons.negative).toContain('input_cost_per_token');
    expect(reasons.stray).toBe('not an object');
  });

  it('keeps the first-party row when a reseller repeats a model name, whatever the order', () => {
    const result = importLiteLlmCatalog(
      {
        'azure/gpt-4o': { ...chat, litellm_provider: 'azure', input_cost_per_token: 5e-6 },
        'gpt-4o': chat,
        'openrouter/openai/gpt-4o': { ...chat, litellm_provider: 'openrouter' },
      },
      { priceVersion: 'test' },
    );
    expect(result.prices.get('gpt-4o')?.inputPerMillionMicros).toBe(1_000_000);
    expect(result.models.map((model) => model.id)).toEqual(['openai/gpt-4o', 'openrouter/openai/gpt-4o']);
    expect(result.skipped).toEqual([
      {
        key: 'azure/gpt-4o',
        reason: 'same model name as "gpt-4o", which is kept; import with the provider option to choose',
      },
    ]);
    const azure = importLiteLlmCatalog(
      { 'azure/gpt-4o': { ...chat, litellm_provider: 'azure' }, 'gpt-4o': chat },
      { priceVersion: 'test', provider: 'azure' },
    );
    expect(azure.models.map((model) => model.id)).toEqual(['azure/gpt-4o']);
  });

  it('reads capability flags, treating only an explicit false as "no" for system role and streaming', () => {
    const result = importLiteLlmCatalog(
      {
        silent: chat,
        explicit: {
          ...chat,
          supports_system_messages: false,
          supports_native_streaming: false,
          supports_function_calling: true,
          supports_response_schema: true,
          supports_assistant_prefill: true,
        },
      },
      { priceVersion: 'test' },
    );
    expect(result.models.map((model) => model.capabilities)).toEqual([
      { streaming: true, tools: false, jsonMode: false, systemRole: true, assistantPrefill: false },
      { streaming: false, tools: true, jsonMode: true, systemRole: false, assistantPrefill: true },
    ]);
  });

  it('keeps the output limit inside the window, and leaves out limits the catalog does not give', () => {
    const result = importLiteLlmCatalog(
      {
        odd: { ...chat, max_input_tokens: 8_000, max_output_tokens: 16_000 },
        bare: chat,
      },
      { priceVersion: 'test' },
    );
    expect(result.models[0]).toMatchObject({ contextWindow: 8_000, maxOutputTokens: 8_000 });
    expect(result.models[1]).not.toHaveProperty('contextWindow');
    expect(result.models[1]).not.toHaveProperty('maxOutputTokens');
  });

  it('reports a catalog that is not an object at all', () => {
    expect(importLiteLlmCatalog([1, 2], { priceVersion: 'test' }).skipped).toEqual([
      { key: '(root)', reason: 'the catalog is not a JSON object of model entries' },
    ]);
  });
});
