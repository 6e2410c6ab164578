import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  type RegistryContent,
  type RegistrySnapshot,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { ProviderAdaptersService } from './provider-adapters.service.ts';

function snapshotOf(content: RegistryContent, version: number): RegistrySnapshot {
  return buildRegistrySnapshot(content, { version, createdAt: '' });
}

function service(): ProviderAdaptersService {
  return new ProviderAdaptersService(loadControlPlaneConfig({ OPENAI_API_KEY: 'sk-from-the-environment' }));
}

describe('ProviderAdaptersService', () => {
  it('builds each kind’s adapter from the registry entry', () => {
    const sut = service();
    const snapshot = snapshotOf(defaultRegistryContent(), 1);
    expect(sut.adapterFor(snapshot, 'sim/fast-small')).toMatchObject({
      provider: 'sim',
      providerModel: 'fast-small',
    });
    expect(sut.adapterFor(snapshot, 'openai/gpt-4o')).toMatchObject({
      provider: 'openai',
      providerModel: 'gpt-4o',
    });
    expect(sut.adapterFor(snapshot, 'anthropic/claude-haiku-4-5')).toMatchObject({ provider: 'anthropic' });
    expect(sut.adapterFor(snapshot, 'no/such-model')).toBeUndefined();
  });

  it('keeps an adapter across versions while its specs are unchanged, and rebuilds it when they change', () => {
    const sut = service();
    const content = defaultRegistryContent();
    const first = sut.adapterFor(snapshotOf(content, 1), 'openai/gpt-4o');
    expect(sut.adapterFor(snapshotOf(content, 2), 'openai/gpt-4o')).toBe(first);
    content.providers = content.providers.map((provider) =>
      provider.id === 'openai' ? { ...provider, baseUrl: 'http://127.0.0.1:9/v1' } : provider,
    );
    expect(sut.adapterFor(snapshotOf(content, 3), 'openai/gpt-4o')).not.toBe(first);
  });

  it('skips a model whose adapter cannot be built, and still serves the others', () => {
    const sut = service();
    const content = defaultRegistryContent();
    content.providers = content.providers.map((provider) =>
      provider.id === 'openai' ? { ...provider, preset: 'no-such-preset' } : provider,
    );
    const snapshot = snapshotOf(content, 1);
    expect(sut.adapterFor(snapshot, 'openai/gpt-4o')).toBeUndefined();
    expect(sut.adapterFor(snapshot, 'sim/local')).toBeDefined();
  });
});
