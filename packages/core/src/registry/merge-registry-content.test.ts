import { describe, expect, it } from 'vitest';
import { defaultRegistryContent } from './default-registry.ts';
import { mergeRegistryContent } from './merge-registry-content.ts';
import { parseRegistryDocument } from './parse-registry-document.ts';
import { buildRegistrySnapshot } from './registry-snapshot.ts';

const overlayYaml = `
providers:
  - id: lmstudio
    kind: openai-compatible
    baseUrl: http://127.0.0.1:1234/v1
models:
  - id: lmstudio/qwen
    provider: lmstudio
    providerModel: qwen2.5-7b-instruct
    contextWindow: 32768
    maxOutputTokens: 4096
    price: { inputPerMillionMicros: 0, outputPerMillionMicros: 0, version: local }
    privacy: { local: true }
    safetyTier: 1
    qualityPriors: { default: 0.6 }
    latencyPriors: { timeToFirstTokenP50Ms: 300, timeToFirstTokenP95Ms: 900, outputTokensPerSecond: 45 }
  - id: openai/gpt-4o
    provider: openai
    providerModel: gpt-4o
    contextWindow: 128000
    maxOutputTokens: 4096
    price: null
    safetyTier: 3
    qualityPriors: { default: 0.9 }
    latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 1200, outputTokensPerSecond: 80 }
    enabled: false
policies:
  - name: narrative_generation
    appliesTo: { taskTypes: [narrative_generation] }
    denyModels: [sim/fast-small]
`;

describe('mergeRegistryContent', () => {
  it('lets a studio file extend the defaults: replacing by id in place, adding new entries after', () => {
    const base = defaultRegistryContent();
    const overlay = parseRegistryDocument(overlayYaml, { fileName: 'studio.yaml' });
    const merged = mergeRegistryContent(base, overlay);

    expect(merged.providers.map((provider) => provider.id)).toEqual([
      ...base.providers.map((provider) => provider.id),
      'lmstudio',
    ]);
    expect(merged.models.map((model) => model.id)).toEqual([
      ...base.models.map((model) => model.id),
      'lmstudio/qwen',
    ]);
    const gpt4o = merged.models.find((model) => model.id === 'openai/gpt-4o');
    expect(gpt4o).toMatchObject({ enabled: false, price: null, maxOutputTokens: 4_096 });
    expect(merged.policies.map((policy) => policy.name)).toEqual(base.policies.map((policy) => policy.name));
    expect(merged.policies.find((policy) => policy.name === 'narrative_generation')?.denyModels).toEqual([
      'sim/fast-small',
    ]);
  });

  it('replaces whole entries, never mixing fields of the old and the new', () => {
    const base = defaultRegistryContent();
    const overlay = parseRegistryDocument(overlayYaml, { fileName: 'studio.yaml' });
    const merged = mergeRegistryContent(base, overlay);
    const narrative = merged.policies.find((policy) => policy.name === 'narrative_generation');
    // The overlay's policy gave no weights, so it has the schema defaults, not the bundled policy's.
    expect(narrative?.weights).toEqual({ quality: 1, latency: 1, cost: 1 });
  });

  it('produces a registry that passes the reference checks when the overlay refers to defaults', () => {
    const merged = mergeRegistryContent(
      defaultRegistryContent(),
      parseRegistryDocument(overlayYaml, { fileName: 'studio.yaml' }),
    );
    const snapshot = buildRegistrySnapshot(merged, { version: 2, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(snapshot.models.some((model) => model.id === 'lmstudio/qwen')).toBe(true);
  });

  it('leaves both inputs unchanged', () => {
    const base = defaultRegistryContent();
    const overlay = parseRegistryDocument(overlayYaml, { fileName: 'studio.yaml' });
    const baseBefore = structuredClone(base);
    const overlayBefore = structuredClone(overlay);
    mergeRegistryContent(base, overlay);
    expect(base).toEqual(baseBefore);
    expect(overlay).toEqual(overlayBefore);
  });

  it('is the base itself when the overlay is empty', () => {
    const base = defaultRegistryContent();
    expect(mergeRegistryContent(base, { providers: [], models: [], policies: [] })).toEqual(base);
  });
});
