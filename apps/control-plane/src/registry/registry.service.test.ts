import { defaultRegistryContent, hashRegistryContent, type ModelSpec } from '@switchboard/core';
import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../config/clock.ts';
import { loadControlPlaneConfig, type Environment } from '../config/control-plane-config.ts';
import { ApiError } from '../errors/api-error.ts';
import { InMemoryRegistryRepository } from './__fixtures__/in-memory-registry-repository.ts';
import { InProcessRegistryChangeBus, type RegistryChange } from './registry-change-bus.ts';
import { RegistryService } from './registry.service.ts';

// The service logs its seeding; the tests assert on state instead.
Logger.overrideLogger(false);

const clock: Clock = { now: () => Date.parse('2026-07-24T12:00:00.000Z') };

async function setUp(environment: Environment = {}) {
  const repository = new InMemoryRegistryRepository();
  const bus = new InProcessRegistryChangeBus();
  const changes: RegistryChange[] = [];
  bus.subscribe((change) => changes.push(change));
  const config = loadControlPlaneConfig(environment);
  const sut = new RegistryService(repository.asRepository(), bus, config, clock);
  await sut.onModuleInit();
  return { sut, repository, changes };
}

const simFast = defaultRegistryContent().models.find((model) => model.id === 'sim/fast-small')!;

/** A valid new model on the simulated provider. */
function newModel(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...structuredClone(simFast),
    id: 'sim/new',
    providerModel: 'new',
    displayName: 'New',
    ...overrides,
  };
}

/** The rejection a call ends in, as an ApiError. */
async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('RegistryService seeding', () => {
  it('seeds the simulated provider, its models and every policy as version 1, once', async () => {
    const { sut, repository, changes } = await setUp();
    const snapshot = await sut.currentSnapshot();
    expect(snapshot.version).toBe(1);
    expect(snapshot.providers.map((provider) => provider.id)).toEqual(['sim']);
    expect(snapshot.models.every((model) => model.provider === 'sim')).toBe(true);
    expect(snapshot.policies.length).toBe(defaultRegistryContent().policies.length);
    expect(snapshot.createdAt).toBe('2026-07-24T12:00:00.000Z');
    expect(changes).toEqual([{ version: 1, hash: snapshot.hash }]);

    expect(await sut.seedIfEmpty()).toBe(false);
    expect((await sut.currentState()).version).toBe(1);
    expect(repository.commits).toBe(2); // the second seeding committed a transaction that wrote nothing
  });

  it('seeds a real provider when its key variable is set, and Ollama at OLLAMA_URL', async () => {
    const { sut } = await setUp({
      OPENAI_API_KEY: 'set-in-the-environment',
      OLLAMA_URL: 'http://gpu-box:11434',
    });
    const snapshot = await sut.currentSnapshot();
    expect(snapshot.providers.map((provider) => provider.id)).toEqual(['sim', 'openai', 'ollama']);
    expect(snapshot.providers.find((provider) => provider.id === 'ollama')?.baseUrl).toBe(
      'http://gpu-box:11434/v1',
    );
    expect(snapshot.models.map((model) => model.id)).toEqual(
      expect.arrayContaining(['openai/gpt-4o', 'ollama/llama3.2']),
    );
    expect(snapshot.models.some((model) => model.provider === 'anthropic')).toBe(false);
  });
});

describe('RegistryService writes', () => {
  it('creates a model as the next version and announces it after commit', async () => {
    const { sut, changes } = await setUp();
    const write = await sut.create('models', newModel());
    expect(write).toMatchObject({ version: 2, changed: true, entry: { id: 'sim/new', enabled: true } });
    const snapshot = await sut.currentSnapshot();
    expect(snapshot.version).toBe(2);
    expect(snapshot.models.at(-1)?.id).toBe('sim/new');
    expect(changes.at(-1)).toEqual({ version: 2, hash: snapshot.hash });
    const { providers, models, policies } = snapshot;
    expect(snapshot.hash).toBe(hashRegistryContent({ providers, models, policies }));
  });

  it('names each bad field relative to the body and stores nothing', async () => {
    const { sut, repository, changes } = await setUp();
    const commits = repository.commits;
    const error = await rejectionOf(
      sut.create(
        'models',
        newModel({
          price: { inputPerMillionMicros: -1, outputPerMillionMicros: 1, version: 'v' },
          contextWindwo: 5,
        }),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'price.inputPerMillionMicros', message: expect.stringMatching(/>=0|non-?negative|0/) },
        { path: 'contextWindwo', message: expect.stringMatching(/unknown field/) },
      ]),
    );
    expect(repository.commits).toBe(commits);
    expect((await sut.currentState()).version).toBe(1);
    expect(changes).toHaveLength(1);
  });

  it('checks references against the whole registry: a model needs a known provider', async () => {
    const { sut } = await setUp();
    const error = await rejectionOf(sut.create('models', newModel({ provider: 'openai' })));
    expect(error.issues).toEqual([
      { path: 'provider', message: expect.stringContaining('unknown provider "openai"') },
    ]);
  });

  it('refuses to create an id that exists (409) and to change one that does not (404)', async () => {
    const { sut } = await setUp();
    const conflict = await rejectionOf(sut.create('models', newModel({ id: 'sim/fast-small' })));
    expect(conflict.status).toBe(409);
    expect(conflict.message).toContain('sim/fast-small');
    const missing = await rejectionOf(sut.replace('models', 'sim/nothing', newModel({ id: undefined })));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('"sim/nothing"');
    expect((await rejectionOf(sut.get('policies', 'nope'))).message).toContain('policy with name "nope"');
  });

  it('replaces a model whole, taking the id from the URL, and refuses a different id in the body', async () => {
    const { sut } = await setUp();
    const { id: _id, ...body } = { ...structuredClone(simFast), displayName: 'Renamed' };
    const write = await sut.replace('models', 'sim/fast-small', body);
    expect(write.entry).toMatchObject({ id: 'sim/fast-small', displayName: 'Renamed' });
    const error = await rejectionOf(sut.replace('models', 'sim/fast-small', { ...body, id: 'sim/other' }));
    expect(error.issues?.[0]?.path).toBe('id');
  });

  it('patches nested fields without losing their siblings', async () => {
    const { sut } = await setUp();
    const write = await sut.patch('models', 'sim/fast-small', { price: { inputPerMillionMicros: 1 } });
    const model = write.entry as ModelSpec;
    expect(model.price).toEqual({ ...simFast.price, inputPerMillionMicros: 1 });
    expect(model.qualityPriors).toEqual(simFast.qualityPriors);
  });

  it('makes no new version for a write that changes nothing', async () => {
    const { sut, changes } = await setUp();
    const write = await sut.patch('models', 'sim/fast-small', { displayName: simFast.displayName });
    expect(write).toMatchObject({ version: 1, changed: false });
    expect(changes).toHaveLength(1);
  });

  it('keeps disabled models in the snapshot but drops disabled policies from it', async () => {
    const { sut } = await setUp();
    await sut.setEnabled('models', 'sim/local', false);
    await sut.setEnabled('policies', 'summarization', false);
    const snapshot = await sut.currentSnapshot();
    expect(snapshot.version).toBe(3);
    expect(snapshot.models.find((model) => model.id === 'sim/local')?.enabled).toBe(false);
    expect(snapshot.policies.some((policy) => policy.name === 'summarization')).toBe(false);
    expect(await sut.get('policies', 'summarization')).toMatchObject({
      name: 'summarization',
      enabled: false,
    });

    await sut.setEnabled('policies', 'summarization', true);
    expect((await sut.currentSnapshot()).policies.some((policy) => policy.name === 'summarization')).toBe(
      true,
    );
  });

  it('accepts a policy with an enabled flag beside its spec, and refuses a flag that is not boolean', async () => {
    const { sut } = await setUp();
    const created = await sut.create('policies', {
      name: 'quiet',
      weights: { quality: 1, latency: 2, cost: 1 },
      enabled: false,
    });
    expect(created.entry).toMatchObject({ name: 'quiet', enabled: false });
    expect((await sut.currentSnapshot()).policies.some((policy) => policy.name === 'quiet')).toBe(false);
    const error = await rejectionOf(sut.create('policies', { name: 'loud', enabled: 'yes' }));
    expect(error.issues).toEqual([{ path: 'enabled', message: 'expected true or false' }]);
  });

  it('refuses provider bodies that carry a key, without repeating the key', async () => {
    const { sut, repository } = await setUp();
    const commits = repository.commits;
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz123456';
    for (const body of [
      { id: 'p', kind: 'openai-compatible', apiKey: secret },
      { id: 'p', kind: 'openai-compatible', apiKeyEnv: secret },
      { id: 'p', kind: 'openai-compatible', headers: { Authorization: `Bearer ${secret}` } },
    ]) {
      const error = await rejectionOf(sut.create('providers', body));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/environment variable/);
      expect(error.message).toContain('apiKeyEnv');
      expect(JSON.stringify(error.toBody())).not.toContain(secret);
    }
    expect(repository.commits).toBe(commits);
  });
});

describe('RegistryService price import', () => {
  const catalog = {
    'gpt-4o': {
      mode: 'chat',
      litellm_provider: 'openai',
      input_cost_per_token: 2e-6,
      output_cost_per_token: 8e-6,
    },
    'text-embedding-3-small': { mode: 'embedding', litellm_provider: 'openai', input_cost_per_token: 2e-8 },
  };

  it('prices matching models from a LiteLLM catalog as one new version, and lists what it skipped', async () => {
    const { sut } = await setUp({ OPENAI_API_KEY: 'set' });
    const result = await sut.importPrices(catalog, undefined);
    expect(result).toMatchObject({ format: 'litellm', priceVersion: 'litellm-2026-07-24', version: 2 });
    expect(result.changed.map((change) => change.modelId)).toEqual(['openai/gpt-4o']);
    expect(result.changed[0]?.next.inputPerMillionMicros).toBe(2_000_000);
    expect(result.skipped).toEqual([
      { key: 'text-embedding-3-small', reason: 'mode "embedding" is not chat' },
    ]);
    expect(result.unmatchedModels).toContain('openai/gpt-4o-mini');
    const model = (await sut.currentSnapshot()).models.find((entry) => entry.id === 'openai/gpt-4o');
    expect(model?.price?.outputPerMillionMicros).toBe(8_000_000);

    const again = await sut.importPrices(catalog, 'litellm-2026-07-24');
    expect(again).toMatchObject({ version: 2, changed: [] });
  });

  it('prices only OpenRouter models from an OpenRouter listing', async () => {
    const { sut } = await setUp({ OPENROUTER_API_KEY: 'set', OPENAI_API_KEY: 'set' });
    const listing = {
      data: [
        {
          id: 'meta-llama/llama-3.3-70b-instruct',
          context_length: 131072,
          pricing: { prompt: '0.0000001', completion: '0.0000003' },
        },
        { id: 'gpt-4o', context_length: 128000, pricing: { prompt: '0.000009', completion: '0.000009' } },
      ],
    };
    const result = await sut.importPrices(listing, 'openrouter-test');
    expect(result.format).toBe('openrouter');
    expect(result.changed.map((change) => change.modelId)).toEqual([
      'openrouter/meta-llama/llama-3.3-70b-instruct',
    ]);
    const snapshot = await sut.currentSnapshot();
    expect(snapshot.models.find((model) => model.id === 'openai/gpt-4o')?.price?.inputPerMillionMicros).toBe(
      2_500_000,
    );
  });

  it('refuses a body that is no catalog at all', async () => {
    const { sut } = await setUp();
    const error = await rejectionOf(sut.importPrices([1, 2], undefined));
    expect(error.issues?.[0]?.path).toBe('(root)');
  });
});

describe('RegistryService with arbitrary bodies', () => {
  const collections = ['providers', 'models', 'policies'] as const;
  const existingId = { providers: 'sim', models: 'sim/fast-small', policies: 'default' } as const;
  /** Any JSON, and valid specs with one field replaced by any JSON, which reach deeper checks. */
  const body = fc.oneof(
    fc.jsonValue(),
    fc
      .record({ key: fc.constantFrom(...Object.keys(simFast)), value: fc.jsonValue() })
      .map(({ key, value }) => ({ ...structuredClone(simFast), id: 'sim/fuzz', [key]: value })),
  );

  it('answers every write with a result or a 4xx naming the problem, and stores nothing on rejection', async () => {
    const { sut, repository } = await setUp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...collections),
        fc.constantFrom('create', 'replace', 'patch'),
        body,
        async (collection, operation, input) => {
          const commits = repository.commits;
          const before = await sut.currentState();
          const outcome = await (
            operation === 'create'
              ? sut.create(collection, input)
              : operation === 'replace'
                ? sut.replace(collection, existingId[collection], input)
                : sut.patch(collection, existingId[collection], input)
          ).then(
            () => 'accepted' as const,
            (error: unknown) => error,
          );
          if (outcome === 'accepted') return;
          expect(outcome).toBeInstanceOf(ApiError);
          const error = outcome as ApiError;
          expect(error.status).toBeGreaterThanOrEqual(400);
          expect(error.status).toBeLessThan(500);
          expect(error.message.length).toBeGreaterThan(10);
          if (error.status === 400) expect(error.issues?.length).toBeGreaterThan(0);
          expect(repository.commits).toBe(commits);
          expect(await sut.currentState()).toEqual(before);
        },
      ),
      { numRuns: 600 },
    );
  });
});
