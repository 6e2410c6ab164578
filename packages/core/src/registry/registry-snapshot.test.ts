import { describe, expect, it } from 'vitest';
import { SwitchboardValidationError } from '../validation.ts';
import type { ModelSpecInput } from './model-spec.ts';
import { buildRegistrySnapshot, hashRegistryContent, registryContentSchema } from './registry-snapshot.ts';

const stamp = { version: 3, createdAt: '2026-01-01T00:00:00.000Z' };

const model = (id: string, provider = 'sim'): ModelSpecInput => ({
  id,
  provider,
  providerModel: id,
  contextWindow: 8_000,
  maxOutputTokens: 1_000,
  price: { inputPerMillionMicros: 1, outputPerMillionMicros: 2, version: 'test' },
  safetyTier: 2,
  qualityPriors: { default: 0.5 },
  latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 },
});

const content = () => ({
  providers: [{ id: 'sim', kind: 'sim' as const }],
  models: [model('sim/a'), model('sim/b')],
  policies: [{ name: 'default', allowModels: ['sim/a', 'sim/b'], denyModels: ['sim/b'] }],
});

/** The error `build` throws, failing the test when it throws none or another kind. */
function validationErrorOf(build: () => unknown): SwitchboardValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof SwitchboardValidationError) return error;
    throw error;
  }
  throw new Error('expected a SwitchboardValidationError, but nothing was thrown');
}

describe('buildRegistrySnapshot', () => {
  it('stamps valid content with its version, time and content hash', () => {
    const snapshot = buildRegistrySnapshot(content(), stamp);
    expect(snapshot.version).toBe(3);
    expect(snapshot.createdAt).toBe(stamp.createdAt);
    expect(snapshot.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshot.hash).toBe(hashRegistryContent(registryContentSchema.parse(content())));
    expect(snapshot.models.map((entry) => entry.id)).toEqual(['sim/a', 'sim/b']);
  });

  it('gives equal content the same hash whatever the version or field order', () => {
    const first = buildRegistrySnapshot(content(), stamp);
    const { policies, models, providers } = content();
    const second = buildRegistrySnapshot({ policies, models, providers }, { version: 9, createdAt: 'later' });
    expect(second.hash).toBe(first.hash);
    const changed = content();
    changed.models[0]!.contextWindow = 9_000;
    expect(buildRegistrySnapshot(changed, stamp).hash).not.toBe(first.hash);
  });

  it('names the path of a field that fails its schema', () => {
    const broken = content() as { models: unknown[] };
    broken.models[1] = {
      ...model('sim/b'),
      price: { inputPerMillionMicros: 'cheap', outputPerMillionMicros: 1 },
    };
    const error = validationErrorOf(() => buildRegistrySnapshot(broken, stamp));
    expect(error.message).toContain('models.1.price.inputPerMillionMicros: expected number, received string');
    expect(error.message).toContain('models.1.price.version: expected string, but the field is missing');
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual([
      'models.1.price.inputPerMillionMicros',
      'models.1.price.version',
    ]);
  });

  it('rejects duplicate ids and names, pointing at the second one', () => {
    const duplicated = content();
    duplicated.models.push(model('sim/a'));
    duplicated.providers.push({ id: 'sim', kind: 'sim' });
    duplicated.policies.push({ name: 'default', allowModels: [], denyModels: [] });
    const error = validationErrorOf(() => buildRegistrySnapshot(duplicated, stamp));
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual([
      'providers.1.id',
      'models.2.id',
      'policies.1.name',
    ]);
    expect(error.message).toContain('models.2.id: duplicate id "sim/a"');
  });

  it('rejects a model whose provider does not exist, and says how to fix it', () => {
    const orphaned = content();
    orphaned.models.push(model('cloud/x', 'cloud'));
    const error = validationErrorOf(() => buildRegistrySnapshot(orphaned, stamp));
    expect(error.issues).toEqual([
      {
        path: ['models', '2', 'provider'],
        message: 'unknown provider "cloud" (add it under providers, or fix the id)',
      },
    ]);
  });

  it('rejects allow and deny lists that name models the registry does not have', () => {
    const stale = content();
    stale.policies[0]!.allowModels = ['sim/a', 'sim/gone'];
    stale.policies[0]!.denyModels = ['sim/typo'];
    const error = validationErrorOf(() => buildRegistrySnapshot(stale, stamp));
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual([
      'policies.0.allowModels.1',
      'policies.0.denyModels.0',
    ]);
    expect(error.message).toContain('policies.0.allowModels.1: unknown model "sim/gone"');
  });
});
