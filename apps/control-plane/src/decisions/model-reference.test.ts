import { buildRegistrySnapshot, defaultRegistryContent, type RegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { resolveModelReference, virtualModelNames } from './model-reference.ts';

const snapshot: RegistrySnapshot = buildRegistrySnapshot(defaultRegistryContent(), {
  version: 1,
  createdAt: '',
});

describe('resolveModelReference', () => {
  it('reads switchboard/auto, policies with and without the prefix, and model ids', () => {
    expect(resolveModelReference('switchboard/auto', snapshot)).toEqual({
      kind: 'auto',
      label: 'switchboard/auto',
    });
    expect(resolveModelReference('switchboard/summarization', snapshot)).toEqual({
      kind: 'policy',
      policyName: 'summarization',
      label: 'switchboard/summarization',
    });
    expect(resolveModelReference('summarization', snapshot)).toMatchObject({
      kind: 'policy',
      policyName: 'summarization',
    });
    expect(resolveModelReference('sim/fast-small', snapshot)).toEqual({
      kind: 'model',
      modelId: 'sim/fast-small',
      label: 'sim/fast-small',
    });
  });

  it('strips one LiteLLM openai/ prefix, but never from an id that has it', () => {
    expect(resolveModelReference('openai/switchboard/auto', snapshot)).toMatchObject({ kind: 'auto' });
    expect(resolveModelReference('openai/sim/local', snapshot)).toMatchObject({
      kind: 'model',
      modelId: 'sim/local',
    });
    expect(resolveModelReference('openai/gpt-4o', snapshot)).toMatchObject({
      kind: 'model',
      modelId: 'openai/gpt-4o',
    });
    expect(resolveModelReference('openai/openai/switchboard/auto', snapshot)).toBeUndefined();
  });

  it('knows nothing of names the registry does not hold', () => {
    expect(resolveModelReference('gpt-17', snapshot)).toBeUndefined();
    expect(resolveModelReference('switchboard/unknown-policy', snapshot)).toBeUndefined();
  });
});

describe('virtualModelNames', () => {
  it('lists switchboard/auto first, then one name per policy', () => {
    const names = virtualModelNames(snapshot);
    expect(names[0]).toBe('switchboard/auto');
    expect(names).toContain('switchboard/default');
    expect(names).toHaveLength(snapshot.policies.length + 1);
  });
});
