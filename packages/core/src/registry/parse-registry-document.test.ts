import { describe, expect, it } from 'vitest';
import { SwitchboardValidationError } from '../validation.ts';
import { parseRegistryDocument, registryDocumentFormat } from './parse-registry-document.ts';

const studioYaml = `# A studio's registry: two local models and a narrative policy.
providers:
  - id: lmstudio
    kind: openai-compatible
    baseUrl: http://127.0.0.1:1234/v1

models:
  - &qwen
    id: lmstudio/qwen
    provider: lmstudio
    providerModel: qwen2.5-7b-instruct
    contextWindow: 32768
    maxOutputTokens: 4096
    price: { inputPerMillionMicros: 0, outputPerMillionMicros: 0, version: local }
    privacy: { local: true }
    safetyTier: 1
    qualityPriors: { default: 0.6, byTask: { narrative_generation: 0.7 } }
    latencyPriors: { timeToFirstTokenP50Ms: 300, timeToFirstTokenP95Ms: 900, outputTokensPerSecond: 45 }
  - <<: *qwen
    id: lmstudio/qwen-large
    providerModel: qwen2.5-32b-instruct
    safetyTier: 2

policies:
  - name: narrative_generation
    appliesTo: { taskTypes: [narrative_generation] }
    weights: { quality: 3, latency: 1, cost: 0.5 }
`;

/** The error `parse` throws, failing the test when it throws none or another kind. */
function validationErrorOf(parse: () => unknown): SwitchboardValidationError {
  try {
    parse();
  } catch (error) {
    if (error instanceof SwitchboardValidationError) return error;
    throw error;
  }
  throw new Error('expected a SwitchboardValidationError, but nothing was thrown');
}

const modelYaml = (price: string) => `models:
  - id: sim/a
    provider: sim
    providerModel: a
    contextWindow: 8000
    maxOutputTokens: 1000
    price: { inputPerMillionMicros: 1, outputPerMillionMicros: 2, version: v }
    safetyTier: 2
    qualityPriors: { default: 0.5 }
    latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 }
  - id: sim/b
    provider: sim
    providerModel: b
    contextWindow: 8000
    maxOutputTokens: 1000
    price: { inputPerMillionMicros: 1, outputPerMillionMicros: 2, version: v }
    safetyTier: 2
    qualityPriors: { default: 0.5 }
    latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 }
  - id: sim/c
    provider: sim
    providerModel: c
    contextWindow: 8000
    maxOutputTokens: 1000
    price:
${price}
    safetyTier: 2
    qualityPriors: { default: 0.5 }
    latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 }
`;

describe('parseRegistryDocument', () => {
  it('reads a YAML registry, with anchors and merge keys, and applies the schema defaults', () => {
    const content = parseRegistryDocument(studioYaml, { fileName: 'studio.yaml' });
    expect(content.providers).toEqual([
      {
        id: 'lmstudio',
        kind: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:1234/v1',
        headers: {},
        enabled: true,
      },
    ]);
    expect(content.models[0]).toMatchObject({
      id: 'lmstudio/qwen',
      privacy: { local: true, zeroRetention: false },
      qualityPriors: { default: 0.6, byTask: { narrative_generation: 0.7 } },
      capabilities: { streaming: true, systemRole: true },
    });
    expect(content.models[1]).toMatchObject({
      id: 'lmstudio/qwen-large',
      providerModel: 'qwen2.5-32b-instruct',
      contextWindow: 32_768,
      safetyTier: 2,
    });
    expect(content.policies[0]?.riskRules.crisis.minSafetyTier).toBe(3);
  });

  it('reports an unknown block, so a misspelt section is not silently ignored', () => {
    const error = validationErrorOf(() =>
      parseRegistryDocument('providers: []\nmodel:\n  - id: x\n', { fileName: 'studio.yaml' }),
    );
    expect(error.message).toBe(
      'studio.yaml: model: unknown field (check the spelling, or remove it) (line 3, column 3)',
    );
  });

  it('reads the same registry written as JSON', () => {
    const yamlContent = parseRegistryDocument(studioYaml, { fileName: 'studio.yml' });
    const json = JSON.stringify(yamlContent, null, 2);
    expect(parseRegistryDocument(json, { fileName: 'studio.json' })).toEqual(yamlContent);
  });

  it('names the file, the field path and what was expected', () => {
    const text = modelYaml(
      '      inputPerMillionMicros: "cheap"\n      outputPerMillionMicros: 2\n      version: v',
    );
    const error = validationErrorOf(() => parseRegistryDocument(text, { fileName: 'registry.yaml' }));
    expect(error.message).toBe(
      'registry.yaml: models.2.price.inputPerMillionMicros: expected number, received string (line 26, column 30)',
    );
    expect(error.issues).toEqual([
      {
        path: ['models', '2', 'price', 'inputPerMillionMicros'],
        message: 'expected number, received string',
      },
    ]);
  });

  it('reports a missing field where it has to be added, and a wrong value with what it was', () => {
    const text = modelYaml('      outputPerMillionMicros: 2\n      version: v').replace(
      'safetyTier: 2\n    qualityPriors: { default: 0.5 }\n    latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 }\n  - id: sim/b',
      'safetyTier: 7\n    qualityPriors: { default: 0.5 }\n    latencyPriors: { timeToFirstTokenP50Ms: 100, timeToFirstTokenP95Ms: 300, outputTokensPerSecond: 50 }\n  - id: sim/b',
    );
    const error = validationErrorOf(() => parseRegistryDocument(text, { fileName: 'registry.yaml' }));
    expect(error.message.split('; ')).toEqual([
      'registry.yaml: models.0.safetyTier: expected one of 0|1|2|3, received 7 (line 8, column 17)',
      'registry.yaml: models.2.price.inputPerMillionMicros: expected number, but the field is missing (line 26, column 7)',
    ]);
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const text = 'providers:\n  - id: sim\n    kind: [sim\nmodels: []\n';
    const error = validationErrorOf(() => parseRegistryDocument(text, { fileName: 'broken.yaml' }));
    expect(error.message).toMatch(/^broken\.yaml: line 4, column 1: invalid YAML: /);
  });

  it('names the line of a key written twice, which YAML forbids', () => {
    const text = 'providers: []\nmodels: []\nproviders: []\n';
    const error = validationErrorOf(() => parseRegistryDocument(text, { fileName: 'twice.yaml' }));
    expect(error.message).toBe('twice.yaml: line 3, column 1: invalid YAML: Map keys must be unique');
  });

  it('names the file, line and column of a JSON syntax error', () => {
    const error = validationErrorOf(() =>
      parseRegistryDocument('{\n  "models": [],\n  "policies": [}\n}', { fileName: 'registry.json' }),
    );
    expect(error.message).toMatch(/^registry\.json: line 3, column 16: invalid JSON: /);
  });

  it('rejects duplicate ids within one file', () => {
    const text = modelYaml(
      '      inputPerMillionMicros: 1\n      outputPerMillionMicros: 2\n      version: v',
    ).replace('id: sim/c', 'id: sim/a');
    const error = validationErrorOf(() => parseRegistryDocument(text, { fileName: 'registry.yaml' }));
    expect(error.message).toBe(
      'registry.yaml: models.2.id: duplicate id "sim/a" (each must be unique within models) (line 20, column 9)',
    );
  });

  it('leaves references to providers it does not define to the merged registry', () => {
    const text = modelYaml(
      '      inputPerMillionMicros: 1\n      outputPerMillionMicros: 2\n      version: v',
    );
    expect(parseRegistryDocument(text, { fileName: 'overlay.yaml' }).models).toHaveLength(3);
  });

  it('treats an empty file, or one of comments only, as an empty registry', () => {
    expect(parseRegistryDocument('# nothing yet\n', { fileName: 'empty.yaml' })).toEqual({
      providers: [],
      models: [],
      policies: [],
    });
  });

  it('reports a document that is not a mapping at its root', () => {
    const error = validationErrorOf(() => parseRegistryDocument('- a\n- b\n', { fileName: 'list.yaml' }));
    expect(error.message).toBe('list.yaml: (root): expected object, received array (line 1, column 1)');
  });

  it('takes the format from the caller when the file name does not say', () => {
    expect(parseRegistryDocument('{"models": []}', { fileName: 'registry', format: 'json' }).models).toEqual(
      [],
    );
    expect(parseRegistryDocument('models: []', { fileName: 'upload.txt', format: 'yaml' }).models).toEqual(
      [],
    );
    const error = validationErrorOf(() => parseRegistryDocument('models: []', { fileName: 'registry.txt' }));
    expect(error.message).toContain('registry.txt: cannot tell the format');
    expect(error.message).toContain("format 'yaml' or 'json'");
  });

  it('refuses a document that expands aliases without bound', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'models: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const error = validationErrorOf(() => parseRegistryDocument(bomb, { fileName: 'bomb.yaml' }));
    expect(error.message).toMatch(/^bomb\.yaml: invalid YAML: /);
  });
});

describe('registryDocumentFormat', () => {
  it('reads the format from the extension, whatever its case', () => {
    expect(['a.yaml', 'b.YML', 'c.json', 'd.toml'].map(registryDocumentFormat)).toEqual([
      'yaml',
      'yaml',
      'json',
      undefined,
    ]);
  });
});
