import 'reflect-metadata';
import type { ModelSpecInput } from '@switchboard/core';
import { startFaultServer, type FaultServer } from '@switchboard/provider-sim/testing';
import { createControlPlaneApp, type ControlPlaneApp } from '../../src/app.ts';
import type { ControlPlaneConfigOverrides } from '../../src/config/control-plane-config.ts';
import type { TestDatabase, TestDatabaseTarget } from '../../src/database/__fixtures__/test-databases.ts';

/** The bootstrap admin key every gateway test app starts with. */
export const testAdminKey = 'sb_admin_gateway-e2e-bootstrap-key';

/** A control plane in front of a fault server, its registry holding fault-server models only. */
export interface GatewayTestApp {
  controlPlane: ControlPlaneApp;
  /** `http://127.0.0.1:<port>` */
  base: string;
  faultServer: FaultServer;
  /** A service key for `/v1` (see {@link testApiKey}); `undefined` while no auth module is wired. */
  apiKey: string | undefined;
  /** `Authorization` header with {@link GatewayTestApp.apiKey}, or nothing. */
  authorization: Record<string, string>;
  close(): Promise<void>;
}

/** The registry id of the fault-server model behind each behaviour used in the tests. */
export const faultModels = {
  healthy: 'fault/healthy',
  healthyTools: 'fault/healthy-tools',
  unavailable: 'fault/unavailable',
  contentPolicy: 'fault/content-policy',
  cutAfterFive: 'fault/cut-after-5',
  neverAnswers: 'fault/never-answers',
  /** A tier-3 model that is down: at crisis risk under the faults policy, nothing can answer. */
  unavailableSafe: 'fault/unavailable-safe',
} as const;

/** The models that fail on purpose: kept out of every seeded policy, allowed by {@link faultsPolicy}. */
export const failingFaultModels: readonly string[] = [
  faultModels.unavailable,
  faultModels.contentPolicy,
  faultModels.cutAfterFive,
  faultModels.neverAnswers,
  faultModels.unavailableSafe,
];

/** The policy under which the failing models may be selected (pin them with `x-switchboard-policy: faults`). */
export const faultsPolicy = 'faults';

interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are inspected field by field
  body: any;
}

/** A JSON request with the admin key. */
export async function adminCall(
  base: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<JsonResponse> {
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${testAdminKey}`, 'content-type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${base}${route}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/**
 * A service API key for the tests, created through the admin API with a rate limit no test reaches
 * (the default of 6,000 a minute would throttle the fuzz). `undefined` when the app has no
 * `/admin/api-keys` (no auth module): the tests then send no key.
 */
export async function testApiKey(base: string): Promise<string | undefined> {
  const created = await adminCall(base, 'POST', '/admin/api-keys', {
    name: 'gateway-e2e',
    scope: 'service',
    rateLimitPerMinute: 1_000_000,
  });
  if (created.status === 404) return undefined;
  if (created.status !== 201) throw new Error(`could not create a test key: HTTP ${created.status}`);
  return created.body.key as string;
}

/** A model of the fault server whose name picks `behaviour`; its registry id is `fault/<behaviour>` unless overridden. */
export function faultModel(behaviour: string, overrides: Partial<ModelSpecInput> = {}): ModelSpecInput {
  return {
    id: `fault/${behaviour}`,
    provider: 'fault',
    providerModel: behaviour,
    displayName: `Fault server: ${behaviour}`,
    contextWindow: 128_000,
    maxOutputTokens: 4_096,
    capabilities: {
      streaming: true,
      tools: false,
      jsonMode: true,
      systemRole: true,
      assistantPrefill: false,
    },
    price: { inputPerMillionMicros: 1_000_000, outputPerMillionMicros: 2_000_000, version: 'gateway-e2e' },
    safetyTier: 1,
    qualityPriors: { default: 0.9 },
    latencyPriors: { timeToFirstTokenP50Ms: 20, timeToFirstTokenP95Ms: 60, outputTokensPerSecond: 2_000 },
    tags: ['fault-server'],
    ...overrides,
  };
}

/**
 * Points the registry at the fault server: provider `fault` (OpenAI-compatible, the server's `/v1`,
 * no key), the healthy models (`fault/healthy` without tools, `fault/healthy-tools` with), the
 * failing ones (low quality; denied by every seeded policy, allowed by `faults`), and the simulated
 * models disabled, so every answer comes from the fault server and is the canonical one.
 */
async function prepareRegistry(base: string, server: FaultServer): Promise<void> {
  const expectCreated = (response: JsonResponse, what: string): void => {
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(
        `preparing the registry (${what}) failed: HTTP ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
  };
  expectCreated(
    await adminCall(base, 'POST', '/admin/providers', {
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: server.openaiBaseUrl,
    }),
    'provider',
  );
  const models = [
    faultModel('healthy'),
    faultModel('healthy-tools', {
      capabilities: {
        streaming: true,
        tools: true,
        jsonMode: true,
        systemRole: true,
        assistantPrefill: false,
      },
    }),
    faultModel('unavailable', { qualityPriors: { default: 0.05 } }),
    faultModel('content-policy', { qualityPriors: { default: 0.05 } }),
    faultModel('cut-after-5', { qualityPriors: { default: 0.05 } }),
    faultModel('never-answers', { qualityPriors: { default: 0.05 } }),
    faultModel('unavailable', {
      id: faultModels.unavailableSafe,
      safetyTier: 3,
      qualityPriors: { default: 0.05 },
    }),
  ];
  for (const model of models) expectCreated(await adminCall(base, 'POST', '/admin/models', model), model.id);
  const seeded = await adminCall(base, 'GET', '/admin/models');
  for (const model of seeded.body.data as { id: string; provider: string }[]) {
    if (model.provider === 'sim') {
      expectCreated(
        await adminCall(base, 'POST', `/admin/models/${encodeURIComponent(model.id)}/disable`),
        model.id,
      );
    }
  }
  const policies = await adminCall(base, 'GET', '/admin/policies');
  for (const policy of policies.body.data as { name: string; denyModels: string[] }[]) {
    expectCreated(
      await adminCall(base, 'PATCH', `/admin/policies/${encodeURIComponent(policy.name)}`, {
        denyModels: [...policy.denyModels, ...failingFaultModels],
      }),
      `policy ${policy.name}`,
    );
  }
  expectCreated(
    await adminCall(base, 'POST', '/admin/policies', {
      name: faultsPolicy,
      description: 'Every fault-server model, failing ones included: for tests of failover and errors.',
      weights: { quality: 4, latency: 1, cost: 0 },
      explorationRate: 0,
    }),
    'faults policy',
  );
}

/**
 * Starts a fault server (no delay between tokens) and a control plane on `target` in front of it,
 * without active probes.
 */
export async function startGatewayTestApp(target: TestDatabaseTarget): Promise<GatewayTestApp> {
  const faultServer = await startFaultServer({ tokenDelayMs: 0 });
  let database: TestDatabase | undefined;
  let controlPlane: ControlPlaneApp | undefined;
  try {
    database = await target.create();
    // No active probes: they would call the fault server's models at moments no test controls, and
    // tests read the fault server's attempts (which model was called last, and how often).
    const config: ControlPlaneConfigOverrides = {
      ...database.settings,
      port: 0,
      logLevel: 'silent',
      probeIntervalMs: 0,
    };
    controlPlane = await createControlPlaneApp({ config, env: { SWITCHBOARD_ADMIN_KEY: testAdminKey } });
    const { base } = await controlPlane.listen();
    await prepareRegistry(base, faultServer);
    const apiKey = await testApiKey(base);
    const running = controlPlane;
    const disposable = database;
    return {
      controlPlane,
      base,
      faultServer,
      apiKey,
      authorization: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      async close() {
        await running.close();
        await faultServer.close();
        await disposable.dispose();
      },
    };
  } catch (error) {
    await controlPlane?.close();
    await faultServer.close();
    await database?.dispose();
    throw error;
  }
}
