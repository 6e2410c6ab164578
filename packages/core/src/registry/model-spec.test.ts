import { describe, expect, it } from 'vitest';
import { modelSpecSchema, providerSpecSchema, type ModelSpecInput } from './model-spec.ts';

const validModel = (): ModelSpecInput => ({
  id: 'openai/gpt-4o',
  provider: 'openai',
  providerModel: 'gpt-4o',
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  price: { inputPerMillionMicros: 2_500_000, outputPerMillionMicros: 10_000_000, version: 'test' },
  safetyTier: 3,
  qualityPriors: { default: 0.8 },
  latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 1_200, outputTokensPerSecond: 80 },
});

/** The dotted paths of every issue a value raises against a schema. */
function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => issue.path.map(String).join('.')).sort();
}

describe('modelSpecSchema', () => {
  it('accepts a minimal model and fills the documented defaults', () => {
    const model = modelSpecSchema.parse(validModel());
    expect(model.capabilities).toEqual({
      streaming: true,
      tools: false,
      jsonMode: false,
      systemRole: true,
      assistantPrefill: false,
    });
    expect(model.privacy).toEqual({ local: false, zeroRetention: false });
    expect(model.enabled).toBe(true);
    expect(model.tags).toEqual([]);
    expect(model.qualityPriors.byTask).toEqual({});
  });

  it('accepts an unknown price as null, so costs show as unknown instead of free', () => {
    expect(modelSpecSchema.parse({ ...validModel(), price: null }).price).toBeNull();
  });

  it('names the path of each wrong field', () => {
    const result = modelSpecSchema.safeParse({
      ...validModel(),
      contextWindow: 0,
      price: { inputPerMillionMicros: 2.5, outputPerMillionMicros: -1, version: '' },
      qualityPriors: { default: 1.5, byTask: { poetry: 0.5 } },
      latencyPriors: { timeToFirstTokenP50Ms: 0, timeToFirstTokenP95Ms: 1, outputTokensPerSecond: 1 },
    });
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toEqual(
      expect.arrayContaining([
        'contextWindow',
        'latencyPriors.timeToFirstTokenP50Ms',
        'price.inputPerMillionMicros',
        'price.outputPerMillionMicros',
        'price.version',
        'qualityPriors.default',
      ]),
    );
    expect(issuePaths(result).some((path) => path.startsWith('qualityPriors.byTask'))).toBe(true);
  });

  it('rejects money that is not an integer number of micro-dollars', () => {
    const result = modelSpecSchema.safeParse({
      ...validModel(),
      price: { inputPerMillionMicros: 2.5, outputPerMillionMicros: 10, version: 'v' },
    });
    expect(issuePaths(result)).toEqual(['price.inputPerMillionMicros']);
  });

  it('rejects a safety tier outside 0..3 and says which values are allowed', () => {
    const result = modelSpecSchema.safeParse({ ...validModel(), safetyTier: 4 });
    expect(issuePaths(result)).toEqual(['safetyTier']);
    expect(result.error?.issues[0]?.message).toContain('0|1|2|3');
  });

  it('rejects an output limit larger than the context window, on the output field', () => {
    const result = modelSpecSchema.safeParse({
      ...validModel(),
      contextWindow: 4_096,
      maxOutputTokens: 8_192,
    });
    expect(issuePaths(result)).toEqual(['maxOutputTokens']);
  });

  it('rejects unknown fields so that a typo is not silently ignored', () => {
    const result = modelSpecSchema.safeParse({ ...validModel(), saftyTier: 3 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('saftyTier');
  });
});

describe('providerSpecSchema', () => {
  it('accepts a provider that names its key by environment variable', () => {
    const provider = providerSpecSchema.parse({
      id: 'openai',
      kind: 'openai-compatible',
      preset: 'openai',
      apiKeyEnv: 'OPENAI_API_KEY',
    });
    expect(provider).toMatchObject({ enabled: true, headers: {} });
  });

  it('rejects a key pasted where the variable name belongs', () => {
    const result = providerSpecSchema.safeParse({
      id: 'openai',
      kind: 'openai-compatible',
      apiKeyEnv: 'sk-abc123',
    });
    expect(issuePaths(result)).toEqual(['apiKeyEnv']);
    expect(result.error?.issues[0]?.message).toContain('environment variable');
  });

  it('rejects an unknown adapter kind and a base URL that is not http(s)', () => {
    const result = providerSpecSchema.safeParse({ id: 'x', kind: 'grpc', baseUrl: 'ftp://127.0.0.1/v1' });
    expect(issuePaths(result)).toEqual(['baseUrl', 'kind']);
  });
});
