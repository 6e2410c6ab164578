import { buildRegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { ollamaBaseUrl, seedRegistryContent } from './seed-registry-content.ts';

const providerIds = (environment: Record<string, string>, ollamaUrl?: string) =>
  seedRegistryContent({ environment, ollamaUrl }).providers.map((provider) => provider.id);

describe('seedRegistryContent', () => {
  it('keeps only the simulated provider and models when no key is set', () => {
    const content = seedRegistryContent({ environment: {} });
    expect(content.providers.map((provider) => provider.id)).toEqual(['sim']);
    expect(content.models.map((model) => model.id)).toEqual([
      'sim/fast-small',
      'sim/creative-large',
      'sim/safety-tuned',
      'sim/local',
    ]);
    expect(content.policies.some((policy) => policy.name === 'default')).toBe(true);
  });

  it('adds each real provider whose key variable is set, and ignores blank ones', () => {
    expect(providerIds({ ANTHROPIC_API_KEY: 'x', OPENAI_API_KEY: '  ' })).toEqual(['sim', 'anthropic']);
    expect(providerIds({ OPENAI_API_KEY: 'x', OPENROUTER_API_KEY: 'y' })).toEqual([
      'sim',
      'openai',
      'openrouter',
    ]);
  });

  it('adds Ollama only with a URL, pointed at its OpenAI-compatible /v1', () => {
    expect(providerIds({})).not.toContain('ollama');
    const content = seedRegistryContent({ environment: {}, ollamaUrl: 'http://10.0.0.5:11434' });
    expect(content.providers.find((provider) => provider.id === 'ollama')?.baseUrl).toBe(
      'http://10.0.0.5:11434/v1',
    );
    expect(content.models.some((model) => model.id === 'ollama/llama3.2')).toBe(true);
  });

  it('keeps a URL that already names a path', () => {
    expect(ollamaBaseUrl('http://proxy/ollama/v1')).toBe('http://proxy/ollama/v1');
    expect(ollamaBaseUrl('http://127.0.0.1:11434/')).toBe('http://127.0.0.1:11434/v1');
  });

  it('is always a valid registry, whatever is set', () => {
    for (const environment of [
      {},
      { OPENAI_API_KEY: 'x', ANTHROPIC_API_KEY: 'x', OPENROUTER_API_KEY: 'x' },
    ]) {
      for (const ollamaUrl of [undefined, 'http://127.0.0.1:11434']) {
        expect(() =>
          buildRegistrySnapshot(seedRegistryContent({ environment, ollamaUrl }), {
            version: 1,
            createdAt: '',
          }),
        ).not.toThrow();
      }
    }
  });
});
