import 'reflect-metadata';
import { sql, type Kysely } from 'kysely';
import { createControlPlaneApp, type ControlPlaneApp } from '../../app.ts';
import type { Clock } from '../../config/clock.ts';
import type { TestDatabase, TestDatabaseTarget } from '../../database/__fixtures__/test-databases.ts';
import { DATABASE } from '../../database/database.module.ts';

export { billedAttempt, telemetryEvent } from './telemetry-events.ts';

/** The bootstrap admin key of every ledger test app. */
export const ledgerAdminKey = 'sb_admin_ledger-e2e-bootstrap-key';

/** A control plane on a fresh database with a service key, for telemetry and analytics tests. */
export interface LedgerTestApp {
  controlPlane: ControlPlaneApp;
  base: string;
  serviceKey: string;
  database: Kysely<unknown>;
  close(): Promise<void>;
}

/** Starts a control plane on `target` (a new PGlite directory or PostgreSQL schema). */
export async function startLedgerTestApp(target: TestDatabaseTarget, clock?: Clock): Promise<LedgerTestApp> {
  let database: TestDatabase | undefined;
  let controlPlane: ControlPlaneApp | undefined;
  try {
    database = await target.create();
    controlPlane = await createControlPlaneApp({
      config: { ...database.settings, port: 0, logLevel: 'silent', probeIntervalMs: 0 },
      env: { SWITCHBOARD_ADMIN_KEY: ledgerAdminKey },
      clock,
    });
    const { base } = await controlPlane.listen();
    const created = await adminJson(base, 'POST', '/admin/api-keys', {
      name: 'ledger-e2e',
      scope: 'service',
      rateLimitPerMinute: 1_000_000,
    });
    if (created.status !== 201) throw new Error(`could not create a service key: HTTP ${created.status}`);
    const running = controlPlane;
    const disposable = database;
    return {
      controlPlane,
      base,
      serviceKey: String((created.body as { key: string }).key),
      database: controlPlane.app.get<Kysely<unknown>>(DATABASE),
      async close() {
        await running.close();
        await disposable.dispose();
      },
    };
  } catch (error) {
    await controlPlane?.close();
    await database?.dispose();
    throw error;
  }
}

/** A JSON answer. */
export interface JsonAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are inspected field by field
  body: any;
}

/** A request with the admin key. */
export async function adminJson(
  base: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<JsonAnswer> {
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${ledgerAdminKey}`, 'content-type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${base}${route}`, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** `POST /v1/telemetry` as the SDK's sink sends it. */
export async function postTelemetry(
  base: string,
  key: string | undefined,
  body: unknown,
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${base}/v1/telemetry`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/**
 * What the ledger holds, read straight from its tables (for assertions analytics cannot make).
 * `rollupCostMicros` is the hourly rollup as analytics reads it: folded rows plus the deltas not
 * folded yet.
 */
export async function ledgerCounts(
  database: Kysely<unknown>,
): Promise<{ events: number; entries: number; costMicros: number; rollupCostMicros: number }> {
  const { rows } = await sql<Record<string, unknown>>`
    select (select count(*) from telemetry_events) as events,
      (select count(*) from ledger_entries) as entries,
      (select coalesce(sum(cost_micros), 0) from ledger_entries) as cost_micros,
      (select coalesce(sum(cost_micros), 0) from ledger_hourly_rollup)
        + (select coalesce(sum(cost_micros), 0) from ledger_rollup_deltas) as rollup_cost_micros`.execute(
    database,
  );
  const row = rows[0]!;
  return {
    events: Number(row.events),
    entries: Number(row.entries),
    costMicros: Number(row.cost_micros),
    rollupCostMicros: Number(row.rollup_cost_micros),
  };
}
