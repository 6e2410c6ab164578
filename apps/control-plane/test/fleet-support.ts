import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { ModelSpecInput } from '@switchboard/core';
import { Redis } from 'ioredis';
import { startFaultServer, type FaultServer } from '@switchboard/provider-sim/testing';
import { createControlPlaneApp, type ControlPlaneApp } from '../src/app.ts';
import type { ControlPlaneConfigOverrides } from '../src/config/control-plane-config.ts';
import type { TestDatabase, TestDatabaseTarget } from '../src/database/__fixtures__/test-databases.ts';
import { adminCall, faultModel as gatewayFaultModel, testAdminKey } from './support/gateway-test-app.ts';

/** The environment's shared services; the fleet tests skip (with a warning) without them. */
export const redisUrl = process.env.REDIS_URL?.trim() || undefined;

/** One control plane of a fleet. */
export interface FleetInstance {
  controlPlane: ControlPlaneApp;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/** Several control planes sharing one PostgreSQL schema and one Redis key prefix, before one fault server. */
export interface Fleet {
  instances: FleetInstance[];
  faultServer: FaultServer;
  /** The Redis key prefix the fleet shares (unique per fleet). */
  prefix: string;
  close(): Promise<void>;
}

/** The registry ids of the fault-server models a fleet test registers. */
export const fleetModels = {
  healthy: 'fault/healthy',
  /** Answers 429 asking to wait a minute: one attempt opens its circuit for that minute. */
  slowDown: 'fault/slow-down',
} as const;

/** A fault-server model with its own id (its name picks the server's behaviour), as the gateway tests build them. */
export function faultModel(id: string, behaviour: string): ModelSpecInput {
  return gatewayFaultModel(behaviour, { id });
}

function expectOk(response: { status: number; body: unknown }, what: string): void {
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`${what} failed: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  }
}

/**
 * Points the registry at the fault server (provider `fault`, the given models) and disables the
 * seeded simulated models, so that probes and traffic reach the fault server only.
 */
async function prepareRegistry(base: string, server: FaultServer, models: ModelSpecInput[]): Promise<void> {
  expectOk(
    await adminCall(base, 'POST', '/admin/providers', {
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: server.openaiBaseUrl,
    }),
    'adding the fault provider',
  );
  for (const model of models) expectOk(await adminCall(base, 'POST', '/admin/models', model), model.id);
  const seeded = await adminCall(base, 'GET', '/admin/models');
  for (const model of seeded.body.data as { id: string; provider: string }[]) {
    if (model.provider !== 'fault') {
      expectOk(
        await adminCall(base, 'POST', `/admin/models/${encodeURIComponent(model.id)}/disable`),
        model.id,
      );
    }
  }
}

/**
 * Starts `size` control planes on one new database of `target` and one unique Redis prefix, the
 * first of which seeds the registry and points it at a new fault server holding `models`. With
 * `probeIntervalMs` 0 no probes run, so circuits move with traffic only.
 */
export async function startFleet(
  target: TestDatabaseTarget,
  options: { size: number; probeIntervalMs: number; models: ModelSpecInput[]; redisUrl: string },
): Promise<Fleet> {
  const faultServer = await startFaultServer({ tokenDelayMs: 0 });
  const prefix = `sb_fleet_${randomBytes(6).toString('hex')}`;
  const instances: FleetInstance[] = [];
  let database: TestDatabase | undefined;
  const close = async () => {
    await Promise.all(instances.map((instance) => instance.controlPlane.close()));
    await faultServer.close();
    await database?.dispose();
    await deleteKeys(options.redisUrl, prefix);
  };
  try {
    database = await target.create();
    const config: ControlPlaneConfigOverrides = {
      ...database.settings,
      port: 0,
      logLevel: 'silent',
      redisUrl: options.redisUrl,
      redisKeyPrefix: prefix,
      // The registry is prepared after the first instance starts; until then probes would find no fault models.
      probeIntervalMs: options.probeIntervalMs,
    };
    for (let index = 0; index < options.size; index += 1) {
      const controlPlane = await createControlPlaneApp({
        config,
        env: { SWITCHBOARD_ADMIN_KEY: testAdminKey },
        registryEvents: { heartbeatMs: 1_000 },
      });
      const { base } = await controlPlane.listen();
      instances.push({ controlPlane, base });
      if (index === 0) await prepareRegistry(base, faultServer, options.models);
    }
    return { instances, faultServer, prefix, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Removes every key under `prefix` (circuits, buckets, the probe queue), so test runs leave Redis clean. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    for await (const keys of client.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await client.del(...(keys as string[]));
    }
  } catch {
    // A Redis a test has stopped holds nothing to clean.
  } finally {
    client.disconnect();
  }
}

/** Polls `check` until it returns a value other than `undefined`; fails after `timeoutMs`. */
export async function eventually<Value>(
  check: () => Promise<Value | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One model's entry of `/admin/health/models` at `base`. */
export async function modelHealth(
  base: string,
  modelId: string,
): Promise<{
  circuit: { status: string; openReason: string | null; openUntil: string | null };
  lastProbe: unknown;
}> {
  const list = await adminCall(base, 'GET', '/admin/health/models');
  const entry = (list.body.data as { modelId: string }[]).find((item) => item.modelId === modelId);
  if (entry === undefined) throw new Error(`${modelId} is missing from /admin/health/models at ${base}`);
  return entry as never;
}

/** Reads `/v1/registry/events` and keeps every `snapshot` event's version, until `stop()`. */
export function readEvents(base: string, apiKey: string): { versions: number[]; stop(): void } {
  const controller = new AbortController();
  const versions: number[] = [];
  void (async () => {
    const response = await fetch(`${base}/v1/registry/events`, {
      headers: { authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.startsWith('event: snapshot') && data !== undefined) {
          versions.push((JSON.parse(data) as { version: number }).version);
        }
      }
    }
  })().catch(() => undefined);
  return { versions, stop: () => controller.abort() };
}
