import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRegistryContent, SwitchboardValidationError } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRegistryFile } from './load-registry-file.ts';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'switchboard-registry-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const studioYaml = `
providers:
  - id: studio-llm
    kind: openai-compatible
    baseUrl: http://127.0.0.1:8000/v1
models:
  - id: studio/narrator
    provider: studio-llm
    providerModel: narrator-7b
    contextWindow: 8192
    maxOutputTokens: 1024
    price: null
    safetyTier: 1
    qualityPriors: { default: 0.6 }
    latencyPriors: { timeToFirstTokenP50Ms: 200, timeToFirstTokenP95Ms: 600, outputTokensPerSecond: 40 }
`;

describe('loadRegistryFile', () => {
  it('builds a hashed snapshot from a YAML file, stamped with the given version and clock', async () => {
    const file = path.join(folder, 'registry.yaml');
    await writeFile(file, studioYaml);
    const snapshot = await loadRegistryFile(file, { version: 7, clock: { now: () => 0 } });
    expect(snapshot.models.map((model) => model.id)).toEqual(['studio/narrator']);
    expect(snapshot).toMatchObject({ version: 7, createdAt: '1970-01-01T00:00:00.000Z' });
    expect(snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads JSON too, and lays the file over the defaults when asked', async () => {
    const file = path.join(folder, 'registry.json');
    await writeFile(
      file,
      JSON.stringify({ policies: [{ name: 'calm', weights: { quality: 2, latency: 1, cost: 1 } }] }),
    );
    const snapshot = await loadRegistryFile(file, { mergeWithDefaults: true });
    expect(snapshot.models).toHaveLength(defaultRegistryContent().models.length);
    expect(snapshot.policies.map((policy) => policy.name)).toContain('calm');
  });

  it('names the file, the field and the line of a mistake', async () => {
    const file = path.join(folder, 'registry.yaml');
    await writeFile(file, studioYaml.replace('contextWindow: 8192', 'contextWindow: lots'));
    const failure = loadRegistryFile(file);
    await expect(failure).rejects.toBeInstanceOf(SwitchboardValidationError);
    await expect(failure).rejects.toThrow(/registry\.yaml: models\.0\.contextWindow: .*line 10/);
  });

  it('names the file when a reference only fails against the merged registry', async () => {
    const file = path.join(folder, 'registry.yaml');
    await writeFile(file, studioYaml.replace('provider: studio-llm', 'provider: nowhere'));
    await expect(loadRegistryFile(file, { mergeWithDefaults: true })).rejects.toThrow(
      /registry\.yaml \(laid over the default registry\): .*unknown provider "nowhere"/,
    );
  });

  it('says which path could not be read', async () => {
    await expect(loadRegistryFile(path.join(folder, 'missing.yaml'))).rejects.toThrow(
      /Cannot read registry file .*missing\.yaml: .*ENOENT.*Check the path/,
    );
  });
});
