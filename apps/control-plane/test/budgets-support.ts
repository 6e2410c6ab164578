import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import type { FaultServer } from '@switchboard/provider-sim/testing';
import { createControlPlaneApp, type ControlPlaneApp } from '../src/app.ts';
import type { ControlPlaneConfigOverrides } from '../src/config/control-plane-config.ts';
import { adminCall, faultModel, testAdminKey } from './support/gateway-test-app.ts';

/** The fault-server model every budget test calls: a fixed price, so each request's cost is known. */
export const pricedModel = 'fault/priced';

/** 100 micro-dollars per prompt token, 200 per completion token: exact integers, no rounding. */
export const inputMicrosPerToken = 100;
export const outputMicrosPerToken = 200;

/** One running control plane of a fleet. */
export interface FleetInstance {
  app: ControlPlaneApp;
  base: string;
}

/** Starts a control plane with the test admin key, probes off and no logs. */
export async function startInstance(config: ControlPlaneConfigOverrides): Promise<FleetInstance> {
  const app = await createControlPlaneApp({
    config: { port: 0, logLevel: 'silent', probeIntervalMs: 0, ...config },
    env: { SWITCHBOARD_ADMIN_KEY: testAdminKey },
  });
  try {
    const { base } = await app.listen();
    return { app, base };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * Points the registry at the fault server: provider `fault` and one enabled model, {@link pricedModel}
 * (the server's healthy behaviour), with every simulated model disabled.
 */
export async function preparePricedRegistry(base: string, server: FaultServer): Promise<void> {
  const expectOk = (response: { status: number; body: unknown }, what: string): void => {
    if (response.status >= 300) {
      throw new Error(`preparing ${what} failed: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    }
  };
  expectOk(
    await adminCall(base, 'POST', '/admin/providers', {
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: server.openaiBaseUrl,
    }),
    'the fault provider',
  );
  expectOk(
    await adminCall(
      base,
      'POST',
      '/admin/models',
      faultModel('healthy', {
        id: pricedModel,
        displayName: 'Fault server, priced for budget tests',
        price: {
          inputPerMillionMicros: inputMicrosPerToken * 1_000_000,
          outputPerMillionMicros: outputMicrosPerToken * 1_000_000,
          version: 'budget-e2e',
        },
      }),
    ),
    'the priced model',
  );
  const seeded = await adminCall(base, 'GET', '/admin/models');
  for (const model of seeded.body.data as { id: string; provider: string }[]) {
    if (model.provider === 'sim') {
      expectOk(
        await adminCall(base, 'POST', `/admin/models/${encodeURIComponent(model.id)}/disable`),
        model.id,
      );
    }
  }
}

/** What one chat completion through the gateway came back with. */
export interface CompletionOutcome {
  status: number;
  /** From the response's usage at the model's price; 0 for a refusal. */
  costMicros: number;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  retryAfter: string | null;
}

/**
 * One non-streaming chat completion for `tenant` (in the `switchboard` body field, or the
 * `x-switchboard-tenant` header), pinned to {@link pricedModel}.
 */
export async function complete(
  base: string,
  tenant: string,
  maxTokens = 100,
  tenantIn: 'body' | 'header' = 'body',
): Promise<CompletionOutcome> {
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${testAdminKey}`,
      'content-type': 'application/json',
      ...(tenantIn === 'header' ? { 'x-switchboard-tenant': tenant } : {}),
    },
    body: JSON.stringify({
      model: pricedModel,
      messages: [{ role: 'user', content: 'Describe the lantern-lit harbour in one sentence.' }],
      max_tokens: maxTokens,
      ...(tenantIn === 'body' ? { switchboard: { tenant } } : {}),
    }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the body is read field by field
  const body: any = await response.json();
  const usage = body.usage as { prompt_tokens: number; completion_tokens: number } | undefined;
  return {
    status: response.status,
    costMicros:
      usage === undefined
        ? 0
        : usage.prompt_tokens * inputMicrosPerToken + usage.completion_tokens * outputMicrosPerToken,
    errorCode: body.error?.code ?? undefined,
    errorMessage: body.error?.message ?? undefined,
    retryAfter: response.headers.get('retry-after'),
  };
}

/** A budget as `GET /admin/budgets` shows it. */
export interface BudgetReading {
  id: string;
  spentMicros: number;
  reservedMicros: number;
  remainingMicros: number;
  limitMicros: number;
  resetsAt: string | null;
  /** Charges the instance made while Redis was away and has not added to Redis yet. */
  unsharedCharges: number;
}

/** The budget `id` as one instance reads it. */
export async function readBudget(base: string, id: string): Promise<BudgetReading> {
  const response = await adminCall(base, 'GET', `/admin/budgets/${encodeURIComponent(id)}`);
  if (response.status !== 200) throw new Error(`GET budget ${id}: HTTP ${response.status}`);
  return response.body as BudgetReading;
}

/** Retries `check` (which throws while not yet true) until it passes or `timeoutMs` has gone by. */
export async function eventually<Value>(check: () => Promise<Value>, timeoutMs = 30_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Sum of the ledger's known costs for `tenant`, or `undefined` when the schema has no ledger table. */
export async function ledgerSum(
  databaseUrl: string,
  schema: string,
  tenant: string,
): Promise<{ sumMicros: number; entries: number } | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ present: string | null }>('select to_regclass($1) as present', [
      `"${schema}".ledger_entries`,
    ]);
    if (exists.rows[0]?.present === null) return undefined;
    const result = await client.query<{ sum: string | null; entries: string }>(
      `select coalesce(sum(cost_micros), 0) as sum, count(*) as entries from "${schema}".ledger_entries
       where tenant_id = $1 and billed and cost_status = 'known'`,
      [tenant],
    );
    return { sumMicros: Number(result.rows[0]?.sum ?? 0), entries: Number(result.rows[0]?.entries ?? 0) };
  } finally {
    await client.end();
  }
}

/** A new schema name and its disposal. */
export function testSchema(databaseUrl: string): { schema: string; dispose(): Promise<void> } {
  const schema = `sb_test_${randomBytes(6).toString('hex')}`;
  return {
    schema,
    async dispose() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private `redis-server` on its own port, without persistence, for outage tests: never the
 * machine's shared Redis, which other tests use. `stop()` kills it (its data is gone, as after a
 * crash); `start()` runs a fresh one on the same port.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
