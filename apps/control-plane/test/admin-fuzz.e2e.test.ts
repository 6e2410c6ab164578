import 'reflect-metadata';
import { defaultRegistryContent } from '@switchboard/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlaneApp, type ControlPlaneApp } from '../src/app.ts';
import { testDatabaseTargets, type TestDatabase } from '../src/database/__fixtures__/test-databases.ts';

/**
 * Fuzzes the admin API over real HTTP with arbitrary JSON and with mutations of valid bodies: the
 * control plane must answer every one with a 2xx or a 4xx whose message names the problem, never a
 * 5xx, and a rejected request must leave the stored registry exactly as it was.
 */
const adminKey = 'sb_admin_fuzz-e2e-bootstrap-key';
const pglite = testDatabaseTargets().find((target) => target.name === 'PGlite')!;

const validModel = defaultRegistryContent().models.find((model) => model.id === 'sim/fast-small')!;
const validProvider = {
  id: 'fuzz-vllm',
  kind: 'openai-compatible',
  preset: 'vllm',
  baseUrl: 'http://127.0.0.1:8000/v1',
};
const validPolicy = { name: 'fuzz-policy', appliesTo: { taskTypes: [] } };

/** A valid body with one field replaced by an arbitrary value, removed, or added. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc
      .record({ key: fc.constantFrom(...keys), value: fc.jsonValue() })
      .map(({ key, value }) => ({ ...valid, [key]: value })),
    fc
      .constantFrom(...keys)
      .map((key) => Object.fromEntries(Object.entries(valid).filter(([name]) => name !== key))),
    fc
      .record({ key: fc.string({ maxLength: 12 }), value: fc.jsonValue() })
      .map(({ key, value }) => ({ ...valid, [key]: value })),
  );
}

const routes = [
  { method: 'POST', path: '/admin/models', valid: validModel },
  { method: 'PATCH', path: '/admin/models/sim%2Ffast-small', valid: { displayName: 'x', enabled: true } },
  { method: 'PUT', path: '/admin/models/sim%2Flocal', valid: validModel },
  { method: 'POST', path: '/admin/providers', valid: validProvider },
  { method: 'PATCH', path: '/admin/providers/sim', valid: { headers: {} } },
  { method: 'POST', path: '/admin/policies', valid: validPolicy },
  { method: 'PATCH', path: '/admin/policies/default', valid: { explorationRate: 0.05 } },
  { method: 'POST', path: '/admin/prices/import', valid: { 'gpt-4o': { input_cost_per_token: 2.5e-6 } } },
] as const;

const requestArbitrary = fc
  .record({
    route: fc.constantFrom(...routes),
    body: fc.oneof(fc.jsonValue(), fc.constant('{"unterminated": '), fc.constant('')),
    mutate: fc.boolean(),
  })
  .chain(({ route, body, mutate }) =>
    (mutate ? mutated(route.valid as Record<string, unknown>) : fc.constant(body)).map((payload) => ({
      route,
      payload,
    })),
  );

describe('admin API fuzz (PGlite, over HTTP)', () => {
  let controlPlane: ControlPlaneApp;
  let database: TestDatabase;
  let base: string;

  beforeAll(async () => {
    database = await pglite.create();
    controlPlane = await createControlPlaneApp({
      config: { ...database.settings, port: 0, logLevel: 'silent', probeIntervalMs: 0 },
      env: { SWITCHBOARD_ADMIN_KEY: adminKey },
    });
    base = (await controlPlane.listen()).base;
  });

  afterAll(async () => {
    await controlPlane?.close();
    await database?.dispose();
  });

  async function snapshotHash(): Promise<string> {
    const response = await fetch(`${base}/v1/registry/snapshot`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    return ((await response.json()) as { hash: string }).hash;
  }

  it('answers 1,200 arbitrary and mutated bodies with a 2xx or a named 4xx, and rejections store nothing', async () => {
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async ({ route, payload }) => {
        const before = await snapshotHash();
        const response = await fetch(`${base}${route.path}`, {
          method: route.method,
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: typeof payload === 'string' ? payload : JSON.stringify(payload),
        });
        const text = await response.text();
        expect(response.status, `${route.method} ${route.path} ${text}`).toBeLessThan(500);
        if (response.status < 400) return;
        rejected += 1;
        const body = JSON.parse(text) as { error: { code: string; message: string } };
        expect(body.error.code).toMatch(/^[a-z_]+$/);
        expect(body.error.message.length).toBeGreaterThan(10);
        expect(await snapshotHash()).toBe(before);
      }),
      { numRuns: 1_200, seed: 20261127 },
    );
    expect(rejected).toBeGreaterThan(600);
  }, 300_000);
});
