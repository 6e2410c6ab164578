import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRegistryContent, type ModelSpec, type RegistrySnapshot } from '@switchboard/core';
import { createControlPlaneRegistrySource } from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlaneApp, type ControlPlaneApp } from '../src/app.ts';
import type { ControlPlaneConfigOverrides, Environment } from '../src/config/control-plane-config.ts';
import {
  testDatabaseTargets,
  type TestDatabase,
  type TestDatabaseTarget,
} from '../src/database/__fixtures__/test-databases.ts';
import { RegistryEventsService } from '../src/registry/registry-events.service.ts';

/** The LiteLLM price list in the shared reference folder, found by walking up from this file. */
async function readLiteLlmReference(): Promise<unknown> {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'shared', 'reference'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('no shared/reference folder above this test');
    directory = parent;
  }
  return JSON.parse(
    await readFile(path.join(directory, 'shared', 'reference', 'litellm-model-prices.json'), 'utf8'),
  ) as unknown;
}

interface Running {
  controlPlane: ControlPlaneApp;
  base: string;
  database: TestDatabase;
}

/** The bootstrap admin key every instance in these tests is started with. */
const adminKey = 'sb_admin_registry-e2e-bootstrap-key';

async function start(
  target: TestDatabaseTarget,
  extraEnv: Environment = {},
  database?: TestDatabase,
): Promise<Running> {
  const testDatabase = database ?? (await target.create());
  // No active probes: some of these tests seed hosted providers with placeholder keys.
  const config: ControlPlaneConfigOverrides = {
    ...testDatabase.settings,
    port: 0,
    logLevel: 'silent',
    probeIntervalMs: 0,
  };
  const env: Environment = { SWITCHBOARD_ADMIN_KEY: adminKey, ...extraEnv };
  const controlPlane = await createControlPlaneApp({ config, env, registryEvents: { heartbeatMs: 50 } });
  const urls = await controlPlane.listen();
  return { controlPlane, base: urls.base, database: testDatabase };
}

async function stop(running: Running | undefined): Promise<void> {
  await running?.controlPlane.close();
  await running?.database.dispose();
}

interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected field by field
}

async function call(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${adminKey}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${route}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** Reads a server-sent event stream in steps: each `until` call reads on until `done` says enough. */
function eventStreamReader(response: Response): {
  text: () => string;
  until: (done: (text: string) => boolean) => Promise<string>;
} {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    text: () => text,
    async until(done) {
      while (!done(text)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
  };
}

const snapshotEvents = (text: string) =>
  [...text.matchAll(/event: snapshot\ndata: (.*)\n\n/g)].map(
    (match) => JSON.parse(match[1]!) as { version: number; hash: string },
  );

const simFast = defaultRegistryContent().models.find((model) => model.id === 'sim/fast-small')!;
const newModel = (id: string): ModelSpec => ({
  ...structuredClone(simFast),
  id,
  providerModel: id.split('/')[1]!,
  displayName: id,
});
const encoded = (id: string) => encodeURIComponent(id);

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`registry over HTTP on ${target.name}`, () => {
    let running: Running;
    let base: string;
    const snapshotVersion = async () =>
      Number((await call(base, 'GET', '/v1/registry/snapshot')).headers.get('switchboard-registry-version'));

    beforeAll(async () => {
      running = await start(target);
      base = running.base;
    });
    afterAll(() => stop(running));

    it('seeds the simulated models and no real provider when no key is set', async () => {
      const providers = await call(base, 'GET', '/admin/providers');
      expect(providers.status).toBe(200);
      expect(providers.body.data.map((provider: { id: string }) => provider.id)).toEqual(['sim']);
      const models = await call(base, 'GET', '/admin/models');
      expect(models.body.data.map((model: ModelSpec) => model.provider)).toEqual([
        'sim',
        'sim',
        'sim',
        'sim',
      ]);
      expect(await snapshotVersion()).toBe(1);
    });

    it('creates, reads, replaces, patches, disables and enables a model', async () => {
      const created = await call(base, 'POST', '/admin/models', newModel('sim/e2e'));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'sim/e2e', enabled: true });
      const version = Number(created.headers.get('switchboard-registry-version'));
      expect(await snapshotVersion()).toBe(version);

      expect((await call(base, 'GET', `/admin/models/${encoded('sim/e2e')}`)).body).toEqual(created.body);

      const { id: _id, ...withoutId } = { ...newModel('sim/e2e'), displayName: 'Replaced' };
      const replaced = await call(base, 'PUT', `/admin/models/${encoded('sim/e2e')}`, withoutId);
      expect(replaced.status).toBe(200);
      expect(replaced.body.displayName).toBe('Replaced');

      const patched = await call(base, 'PATCH', `/admin/models/${encoded('sim/e2e')}`, {
        latencyPriors: { timeToFirstTokenP50Ms: 90 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.latencyPriors).toEqual({ ...simFast.latencyPriors, timeToFirstTokenP50Ms: 90 });

      const disabled = await call(base, 'POST', `/admin/models/${encoded('sim/e2e')}/disable`);
      expect(disabled.status).toBe(200);
      expect(disabled.body.enabled).toBe(false);
      const snapshot = (await call(base, 'GET', '/v1/registry/snapshot')).body as RegistrySnapshot;
      expect(snapshot.models.find((model) => model.id === 'sim/e2e')?.enabled).toBe(false);
      expect(snapshot.version).toBe(version + 3);

      expect((await call(base, 'POST', `/admin/models/${encoded('sim/e2e')}/enable`)).body.enabled).toBe(
        true,
      );
    });

    it('manages providers and policies the same way', async () => {
      const provider = await call(base, 'POST', '/admin/providers', {
        id: 'studio-vllm',
        kind: 'openai-compatible',
        baseUrl: 'http://10.0.0.9:8000/v1',
        apiKeyEnv: 'STUDIO_VLLM_KEY',
      });
      expect(provider.status).toBe(201);
      expect(provider.body).toMatchObject({ id: 'studio-vllm', enabled: true, headers: {} });
      expect((await call(base, 'POST', '/admin/providers/studio-vllm/disable')).body.enabled).toBe(false);

      const policy = await call(base, 'POST', '/admin/policies', {
        name: 'e2e-policy',
        weights: { quality: 2, latency: 1, cost: 1 },
      });
      expect(policy.status).toBe(201);
      expect(policy.body).toMatchObject({ name: 'e2e-policy', enabled: true });
      expect((await call(base, 'PATCH', '/admin/policies/e2e-policy', { topP: 0.9 })).body.topP).toBe(0.9);
      await call(base, 'POST', '/admin/policies/e2e-policy/disable');
      const snapshot = (await call(base, 'GET', '/v1/registry/snapshot')).body as RegistrySnapshot;
      expect(snapshot.policies.some((entry) => entry.name === 'e2e-policy')).toBe(false);
      expect((await call(base, 'GET', '/admin/policies/e2e-policy')).body.enabled).toBe(false);
    });

    it('answers 400 naming each bad field, and stores nothing', async () => {
      const before = await call(base, 'GET', '/v1/registry/snapshot');
      const bad = { ...newModel('sim/bad'), contextWindow: 'large', safetyTier: 7, pricee: {} };
      const response = await call(base, 'POST', '/admin/models', bad);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect(response.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
        'contextWindow',
        'pricee',
        'safetyTier',
      ]);
      expect(response.body.error.message).toContain('contextWindow');

      const invalidJson = await call(base, 'POST', '/admin/models', '{"id": ');
      expect(invalidJson.status).toBe(400);
      expect(invalidJson.body.error.message).toMatch(/not valid JSON/);

      const notObject = await call(base, 'PATCH', `/admin/models/${encoded('sim/fast-small')}`, [1, 2]);
      expect(notObject.status).toBe(400);
      expect(notObject.body.error.issues[0].path).toBe('(root)');

      const secret = await call(base, 'POST', '/admin/providers', {
        id: 'leaky',
        kind: 'openai-compatible',
        apiKey: 'sk-live-abcdefghijklmnopqrstuvwxyz',
      });
      expect(secret.status).toBe(400);
      expect(secret.body.error.message).toMatch(/environment variable.*apiKeyEnv/);
      expect(JSON.stringify(secret.body)).not.toContain('abcdefghijklmnop');

      const after = await call(base, 'GET', '/v1/registry/snapshot', undefined, {
        'if-none-match': before.headers.get('etag')!,
      });
      expect(after.status).toBe(304);
      expect((await call(base, 'GET', '/admin/models/sim%2Fbad')).status).toBe(404);
      expect((await call(base, 'GET', '/admin/providers/leaky')).status).toBe(404);
    });

    it('answers 404 naming the id and 409 for an id that is taken', async () => {
      const missing = await call(base, 'PUT', `/admin/models/${encoded('sim/ghost')}`, newModel('sim/ghost'));
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('"sim/ghost"'),
      });
      const unencoded = await call(base, 'GET', '/admin/models/sim/fast-small');
      expect(unencoded.status).toBe(404);
      expect(unencoded.body.error.message).toMatch(/URL-encoded/);
      const taken = await call(base, 'POST', '/admin/models', newModel('sim/fast-small'));
      expect(taken.status).toBe(409);
      expect(taken.body.error).toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('PUT or PATCH'),
      });
    });

    it('serves the snapshot with an ETag, 304 while unchanged, and a new ETag after a change', async () => {
      const first = await call(base, 'GET', '/v1/registry/snapshot');
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe(`"${first.body.hash}"`);
      expect(first.headers.get('cache-control')).toBe('no-cache');
      const etag = first.headers.get('etag')!;
      const unchanged = await call(base, 'GET', '/v1/registry/snapshot', undefined, {
        'if-none-match': etag,
      });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body).toBeUndefined();

      await call(base, 'PATCH', `/admin/models/${encoded('sim/local')}`, { displayName: 'Local, renamed' });
      const changed = await call(base, 'GET', '/v1/registry/snapshot', undefined, { 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.body.version).toBe(first.body.version + 1);
      expect(changed.headers.get('etag')).not.toBe(etag);
    });

    it('streams the current version on connection, then each change, with heartbeats, and cleans up', async () => {
      const abort = new AbortController();
      const response = await fetch(`${base}/v1/registry/events`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${adminKey}` },
        signal: abort.signal,
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = running.controlPlane.app.get(RegistryEventsService);
      const current = (await call(base, 'GET', '/v1/registry/snapshot')).body as RegistrySnapshot;

      const stream = eventStreamReader(response);
      let text = await stream.until((received) => snapshotEvents(received).length >= 1);
      expect(text.startsWith('retry: ')).toBe(true);
      expect(snapshotEvents(text)[0]).toEqual({ version: current.version, hash: current.hash });

      await call(base, 'PATCH', `/admin/models/${encoded('sim/local')}`, { displayName: 'Local, streamed' });
      text = await stream.until(
        (received) => snapshotEvents(received).length >= 2 && received.includes(': keep-alive'),
      );
      const next = (await call(base, 'GET', '/v1/registry/snapshot')).body as RegistrySnapshot;
      expect(snapshotEvents(text)[1]).toEqual({ version: next.version, hash: next.hash });
      expect(text).toContain(': keep-alive\n\n');
      expect(events.openStreams).toBe(1);

      abort.abort();
      while (events.openStreams > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(events.openStreams).toBe(0);
    });

    it('feeds the SDK registry source, which verifies hashes and follows changes', async () => {
      const source = await createControlPlaneRegistrySource({
        baseUrl: base,
        apiKey: adminKey,
        pollIntervalMs: 60_000,
        onProblem: () => undefined,
      });
      try {
        const version = source.current().version;
        expect(version).toBe(await snapshotVersion());
        await call(base, 'PATCH', `/admin/models/${encoded('sim/local')}`, {
          displayName: 'Local, seen by the SDK',
        });
        while (source.current().version === version) await new Promise((resolve) => setTimeout(resolve, 5));
        expect(source.current().models.find((model) => model.id === 'sim/local')?.displayName).toBe(
          'Local, seen by the SDK',
        );
      } finally {
        await source.close();
      }
    });
  });

  describe.skipIf(!target.available)(`seeding and price import on ${target.name}`, () => {
    let running: Running | undefined;
    afterAll(() => stop(running));

    it('seeds OpenAI models when OPENAI_API_KEY is set, and prices them from the LiteLLM reference', async () => {
      running = await start(target, { OPENAI_API_KEY: 'from-the-environment' });
      const base = running.base;
      const providers = await call(base, 'GET', '/admin/providers');
      expect(providers.body.data.map((provider: { id: string }) => provider.id)).toEqual(['sim', 'openai']);
      expect(JSON.stringify(providers.body)).not.toContain('from-the-environment');

      await call(base, 'PATCH', `/admin/models/${encoded('openai/gpt-4o')}`, {
        price: { inputPerMillionMicros: 1, version: 'stale' },
      });
      const imported = await call(
        base,
        'POST',
        '/admin/prices/import?priceVersion=litellm-reference',
        await readLiteLlmReference(),
      );
      expect(imported.status).toBe(200);
      expect(imported.body.format).toBe('litellm');
      const gpt4o = imported.body.changed.find(
        (change: { modelId: string }) => change.modelId === 'openai/gpt-4o',
      );
      expect(gpt4o.previous).toMatchObject({ inputPerMillionMicros: 1, version: 'stale' });
      expect(gpt4o.next).toMatchObject({
        inputPerMillionMicros: 2_500_000,
        outputPerMillionMicros: 10_000_000,
        version: 'litellm-reference',
      });
      expect(imported.body.skipped.length).toBeGreaterThan(0);
      expect(Number(imported.headers.get('switchboard-registry-version'))).toBe(imported.body.version);

      const model = (await call(base, 'GET', `/admin/models/${encoded('openai/gpt-4o')}`)).body as ModelSpec;
      expect(model.price).toMatchObject({ inputPerMillionMicros: 2_500_000, version: 'litellm-reference' });

      const badVersion = await call(base, 'POST', '/admin/prices/import?priceVersion=has%20spaces', {});
      expect(badVersion.status).toBe(400);
      expect(badVersion.body.error.issues[0].path).toBe('priceVersion');
    });

    it('keeps what it seeded across a restart on the same storage', async () => {
      const database = running!.database;
      await running!.controlPlane.close();
      running = await start(target, {}, database);
      // No key now: the stored registry is kept as it is, not re-seeded.
      const providers = await call(running.base, 'GET', '/admin/providers');
      expect(providers.body.data.map((provider: { id: string }) => provider.id)).toEqual(['sim', 'openai']);
    });
  });
}

const postgres = testDatabaseTargets().find((target) => target.name === 'PostgreSQL')!;
describe.skipIf(!postgres.available)('two instances starting at once on one PostgreSQL', () => {
  it('migrate and seed exactly once', async () => {
    const database = await postgres.create();
    const started = await Promise.allSettled([start(postgres, {}, database), start(postgres, {}, database)]);
    try {
      const [first, second] = started.map((outcome) => {
        if (outcome.status === 'rejected') throw outcome.reason;
        return outcome.value;
      }) as [Running, Running];
      for (const running of [first, second]) {
        const snapshot = await call(running.base, 'GET', '/v1/registry/snapshot');
        expect(snapshot.body.version).toBe(1);
      }
      // A change on one is served by the other.
      await call(first.base, 'PATCH', '/admin/models/sim%2Flocal', { displayName: 'changed on the first' });
      expect((await call(second.base, 'GET', '/v1/registry/snapshot')).body.version).toBe(2);
    } finally {
      for (const outcome of started)
        if (outcome.status === 'fulfilled') await outcome.value.controlPlane.close();
      await database.dispose();
    }
  });
});
