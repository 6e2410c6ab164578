import { isProviderError, modelSpecSchema, type ProviderError } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOllamaServer, type FakeOllamaModel, type FakeOllamaServer } from './fake-ollama-server.ts';
import { createOllamaManager } from './ollama-manager.ts';
import type { OllamaPullProgress } from './ollama-types.ts';

const llama: FakeOllamaModel = {
  name: 'llama3.2',
  architecture: 'llama',
  family: 'llama',
  parameterSize: '3.2B',
  quantizationLevel: 'Q4_K_M',
  sizeBytes: 2_019_393_189,
  contextLength: 131_072,
  numCtx: 8192,
  capabilities: ['completion', 'tools'],
};
const qwen: FakeOllamaModel = {
  name: 'qwen2.5:7b',
  architecture: 'qwen2',
  family: 'qwen2',
  parameterSize: '7.6B',
  quantizationLevel: 'Q4_K_M',
  sizeBytes: 4_683_087_332,
  contextLength: 32_768,
};
const mistral: FakeOllamaModel = {
  ...qwen,
  name: 'mistral:7b',
  architecture: 'llama',
  family: 'llama',
  contextLength: 32_768,
};

const servers: FakeOllamaServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function host(options: Parameters<typeof startFakeOllamaServer>[0] = {}) {
  const server = await startFakeOllamaServer(options);
  servers.push(server);
  return { server, manager: createOllamaManager({ baseUrl: `${server.url}/v1` }) };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

async function drain(progress: AsyncIterable<OllamaPullProgress>): Promise<OllamaPullProgress[]> {
  const lines: OllamaPullProgress[] = [];
  for await (const line of progress) lines.push(line);
  return lines;
}

describe('createOllamaManager', () => {
  it('lists installed and loaded models from the native API, even when given the /v1 base URL', async () => {
    const { manager } = await host({ installed: [llama, qwen], loaded: ['qwen2.5:7b'] });
    const installed = await manager.listInstalled();
    expect(installed.map((model) => model.name)).toEqual(['llama3.2:latest', 'qwen2.5:7b']);
    expect(installed[0]).toMatchObject({
      sizeBytes: 2_019_393_189,
      details: { family: 'llama', parameterSize: '3.2B', quantizationLevel: 'Q4_K_M' },
    });
    const loaded = await manager.listLoaded();
    expect(loaded).toEqual([
      expect.objectContaining({
        name: 'qwen2.5:7b',
        sizeVramBytes: 4_683_087_332,
        expiresAt: expect.any(String),
      }),
    ]);
  });

  it('pulls a model, yielding progress up to success, after which it is installed', async () => {
    const { server, manager } = await host({ pullable: [mistral] });
    const lines = await drain(manager.pull('mistral:7b'));
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    const downloads = lines.filter((line) => line.digest !== undefined);
    expect(downloads.at(-1)).toMatchObject({ total: mistral.sizeBytes, completed: mistral.sizeBytes });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(server.installedNames()).toContain('mistral:7b');
  });

  it("throws Ollama's own error line when a pull fails", async () => {
    const { manager } = await host();
    const error = await rejection(drain(manager.pull('no-such-model')));
    expect(error.providerMessage).toBe('pull model manifest: file does not exist');
    expect(error.message).toContain('no-such-model');
  });

  it('stops a pull when its signal fires, and reports it as aborted', async () => {
    const { server, manager } = await host({ pullable: [mistral], pullLineDelayMs: 20 });
    const controller = new AbortController();
    const seen: OllamaPullProgress[] = [];
    const error = await rejection(
      (async () => {
        for await (const line of manager.pull('mistral:7b', { signal: controller.signal })) {
          seen.push(line);
          if (line.digest !== undefined) controller.abort();
        }
      })(),
    );
    expect(error.kind).toBe('aborted');
    await server.pullAbandoned();
    expect(seen.at(-1)?.status).not.toBe('success');
    expect(server.installedNames()).not.toContain('mistral:7b');
  });

  it('unloads a loaded model', async () => {
    const { server, manager } = await host({
      installed: [llama, qwen],
      loaded: ['llama3.2:latest', 'qwen2.5:7b'],
    });
    await manager.unload('llama3.2');
    expect(server.loadedNames()).toEqual(['qwen2.5:7b']);
    expect((await rejection(manager.unload('ghost'))).kind).toBe('bad_request');
  });

  it('reads the trained and the configured window from /api/show', async () => {
    const { manager } = await host({ installed: [llama] });
    expect(await manager.show('llama3.2')).toMatchObject({
      architecture: 'llama',
      contextLength: 131_072,
      configuredContextLength: 8192,
      capabilities: ['completion', 'tools'],
    });
    const error = await rejection(manager.show('ghost'));
    expect(error).toMatchObject({
      kind: 'bad_request',
      status: 404,
      providerMessage: "model 'ghost' not found",
    });
  });

  it('turns installed models into valid local, free registry entries', async () => {
    const { manager } = await host({ installed: [llama, qwen] });
    const entries = await manager.toRegistryEntries({
      priceVersion: 'local-2025',
      safetyTiers: { 'qwen2.5:7b': 1 },
    });
    const models = entries.map((entry) => modelSpecSchema.parse(entry));
    expect(models[0]).toMatchObject({
      id: 'ollama/llama3.2:latest',
      provider: 'ollama',
      providerModel: 'llama3.2:latest',
      contextWindow: 8192,
      maxOutputTokens: 4096,
      capabilities: { tools: true, jsonMode: true },
      price: { inputPerMillionMicros: 0, outputPerMillionMicros: 0, version: 'local-2025' },
      privacy: { local: true, zeroRetention: true },
      safetyTier: 2,
    });
    expect(models[1]).toMatchObject({ contextWindow: 32_768, capabilities: { tools: false }, safetyTier: 1 });
  });

  it('says Ollama is unreachable when nothing listens', async () => {
    const { server } = await host();
    const manager = createOllamaManager({ baseUrl: server.url });
    await server.close();
    servers.splice(0);
    const error = await rejection(manager.listInstalled());
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/ollama serve/);
  });
});
