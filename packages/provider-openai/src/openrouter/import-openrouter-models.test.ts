import { modelSpecSchema, price as priceCall, SwitchboardValidationError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../__fixtures__/loopback-server.ts';
import { importOpenRouterModels } from './import-openrouter-models.ts';

const listing: unknown = JSON.parse(readFixture('openrouter-models.json'));
const imported = importOpenRouterModels(listing, { priceVersion: 'openrouter-2025-09-01' });
const byId = (id: string) => imported.models.find((model) => model.draft.providerModel === id);

describe('importOpenRouterModels', () => {
  it('converts per-token USD strings to micro-dollars per million, with cache rates, stamped with the version', () => {
    expect(byId('openai/gpt-4o-mini')?.price).toEqual({
      inputPerMillionMicros: 150_000,
      outputPerMillionMicros: 600_000,
      cacheReadPerMillionMicros: 75_000,
      version: 'openrouter-2025-09-01',
    });
    expect(byId('anthropic/claude-3.5-sonnet')?.price).toMatchObject({
      inputPerMillionMicros: 3_000_000,
      outputPerMillionMicros: 15_000_000,
      cacheReadPerMillionMicros: 300_000,
      cacheWritePerMillionMicros: 3_750_000,
    });
  });

  it('reads window, output limit and capabilities from the listing', () => {
    const draft = byId('openai/gpt-4o-mini')?.draft;
    expect(draft).toMatchObject({
      id: 'openrouter/openai/gpt-4o-mini',
      provider: 'openrouter',
      displayName: 'OpenAI: GPT-4o-mini',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      capabilities: { tools: true, jsonMode: true, streaming: true },
    });
    expect(byId('anthropic/claude-3.5-sonnet')?.draft.capabilities).toMatchObject({
      tools: true,
      jsonMode: false,
    });
    expect(byId('deepseek/deepseek-r1')?.draft.capabilities).toMatchObject({ tools: false, jsonMode: true });
  });

  it('keeps a free model at zero, and an unknown price unknown rather than free', () => {
    expect(byId('meta-llama/llama-3.1-8b-instruct:free')?.price).toMatchObject({
      inputPerMillionMicros: 0,
      outputPerMillionMicros: 0,
    });
    const router = byId('openrouter/auto');
    expect(router?.price).toBeNull();
    expect(router?.notes.join(' ')).toMatch(/price unknown/);
  });

  it('notes what the price cannot carry and what it had to assume', () => {
    const sonar = byId('perplexity/sonar');
    expect(sonar?.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/pricing\.request = 0\.005/),
        expect.stringMatching(/assumed 4096/),
      ]),
    );
    expect(sonar?.draft.maxOutputTokens).toBe(4096);
  });

  it('skips entries that cannot be chat models, saying why, and imports the rest', () => {
    expect(imported.skipped).toEqual([
      { index: 7, id: 'example/image-only-model', reason: 'does not produce text' },
      { index: 8, id: undefined, reason: 'no id' },
    ]);
    expect(imported.models).toHaveLength(7);
  });

  it('makes drafts that become valid registry models once a person adds the judgements', () => {
    for (const { draft } of imported.models) {
      const model = modelSpecSchema.parse({
        ...draft,
        safetyTier: 1,
        qualityPriors: { default: 0.5 },
        latencyPriors: { timeToFirstTokenP50Ms: 800, timeToFirstTokenP95Ms: 2500, outputTokensPerSecond: 60 },
      });
      expect(model.maxOutputTokens).toBeLessThanOrEqual(model.contextWindow);
    }
    const cost = priceCall(
      {
        inputTokens: { total: 1_000_000, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 1_000_000, reasoning: 0 },
      },
      byId('openai/gpt-4o-mini')?.price ?? null,
    );
    expect(cost).toMatchObject({ status: 'known', micros: 750_000 });
  });

  it('rejects a body that is not a listing', () => {
    expect(() => importOpenRouterModels({ models: [] }, { priceVersion: 'v' })).toThrow(
      SwitchboardValidationError,
    );
  });
});
