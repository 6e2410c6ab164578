import { buildRegistrySnapshot, defaultRegistryContent, type RegistrySnapshot } from '@switchboard/core';
import { startFaultServer, type FaultServer } from '@switchboard/provider-sim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { createAdapterProbeRunner } from './adapter-probe-runner.ts';
import { ProviderAdaptersService } from './provider-adapters.service.ts';

describe('the adapter probe runner against the fault server', () => {
  let server: FaultServer;
  let snapshot: RegistrySnapshot;

  beforeAll(async () => {
    server = await startFaultServer({ tokenDelayMs: 0 });
    const content = defaultRegistryContent();
    const template = content.models.find((model) => model.id === 'sim/fast-small')!;
    content.providers.push({
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: server.openaiBaseUrl,
      headers: {},
      enabled: true,
    });
    for (const behaviour of ['healthy', 'unavailable', 'rate-limit-retry-after']) {
      content.models.push({
        ...template,
        id: `fault/${behaviour}`,
        provider: 'fault',
        providerModel: behaviour,
      });
    }
    snapshot = buildRegistrySnapshot(content, { version: 1, createdAt: '' });
  });
  afterAll(() => server?.close());

  it('sends one tiny call and reports the classified outcome', async () => {
    const probe = createAdapterProbeRunner(new ProviderAdaptersService(loadControlPlaneConfig({})), () =>
      Promise.resolve(snapshot),
    );
    const signal = new AbortController().signal;
    expect(await probe({ modelId: 'fault/healthy', provider: 'fault' }, signal)).toEqual({ ok: true });
    expect(await probe({ modelId: 'fault/unavailable', provider: 'fault' }, signal)).toMatchObject({
      ok: false,
      kind: 'overloaded',
    });
    expect(await probe({ modelId: 'fault/rate-limit-retry-after', provider: 'fault' }, signal)).toMatchObject(
      {
        ok: false,
        kind: 'rate_limited',
        retryAfterMs: 1_000,
      },
    );
    expect(await probe({ modelId: 'fault/removed', provider: 'fault' }, signal)).toEqual({
      ok: false,
      kind: 'bad_request',
    });
    const probed = server.attempts().map((attempt) => attempt.model);
    expect(probed).toEqual(['healthy', 'unavailable', 'rate-limit-retry-after']);
    expect(server.attempts().every((attempt) => !attempt.stream && attempt.messageCount === 1)).toBe(true);
  });
});
