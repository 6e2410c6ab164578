import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabaseTargets } from '../database/__fixtures__/test-databases.ts';
import { FastPath } from '../http/fast-path.ts';
import {
  ledgerAdminKey,
  ledgerCounts,
  startLedgerTestApp,
  telemetryEvent,
  type LedgerTestApp,
} from './__fixtures__/ledger-test-app.ts';

/** A raw `POST /v1/telemetry`: status, body text and the headers that tell the two paths apart. */
async function post(
  base: string,
  options: { key?: string | undefined; contentType: string; body: string },
): Promise<{ status: number; body: unknown; contentType: string | null; etag: string | null }> {
  const headers: Record<string, string> = { 'content-type': options.contentType };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const response = await fetch(`${base}/v1/telemetry`, { method: 'POST', headers, body: options.body });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    contentType: response.headers.get('content-type'),
    etag: response.headers.get('etag'),
  };
}

/**
 * `application/json` is answered by the telemetry fast path; `application/vnd.switchboard+json`
 * (which `app.ts`'s body parser accepts too) is left to Express and Nest. Express adds an ETag to
 * what it sends, the fast path does not: that tells which path answered.
 */
const fast = 'application/json';
const nest = 'application/vnd.switchboard+json';

const [pglite] = testDatabaseTargets();

describe('POST /v1/telemetry through the fast path and through Nest', () => {
  let app: LedgerTestApp;

  beforeAll(async () => {
    app = await startLedgerTestApp(pglite!);
  });
  afterAll(() => app?.close());

  it('stores a batch and answers the same counts either way', async () => {
    const first = [telemetryEvent(), telemetryEvent()];
    const second = [telemetryEvent(), telemetryEvent()];
    const handle = vi.spyOn(FastPath.prototype, 'handle');
    const viaFast = await post(app.base, {
      key: app.serviceKey,
      contentType: fast,
      body: JSON.stringify({ events: first }),
    });
    const viaNest = await post(app.base, {
      key: app.serviceKey,
      contentType: nest,
      body: JSON.stringify({ events: second }),
    });
    // The first request was taken by the fast path, the second left to Nest.
    expect(handle.mock.results.map((result) => result.value)).toEqual([true, false]);
    handle.mockRestore();
    expect(viaFast).toMatchObject({
      status: 200,
      body: { received: 2, stored: 2, duplicates: 0 },
      etag: null,
    });
    expect(viaNest).toMatchObject({ status: 200, body: { received: 2, stored: 2, duplicates: 0 } });
    expect(viaNest.etag).not.toBeNull();
    expect(viaFast.contentType).toBe(viaNest.contentType);
    // A replay through the other path is recognised as one.
    const replay = await post(app.base, {
      key: app.serviceKey,
      contentType: fast,
      body: JSON.stringify({ events: second }),
    });
    expect(replay.body).toEqual({ received: 2, stored: 0, duplicates: 2 });
    expect(await ledgerCounts(app.database)).toMatchObject({ events: 4, entries: 4 });
  });

  it('answers refusals exactly as Nest does: bad JSON, a bad batch, no key, an unknown key', async () => {
    const bad = telemetryEvent({ taskType: 'not-a-task' as never });
    const cases = [
      { key: app.serviceKey, body: '{"events": [' },
      { key: app.serviceKey, body: '"just a string"' },
      { key: app.serviceKey, body: JSON.stringify({ events: [bad] }) },
      { key: app.serviceKey, body: JSON.stringify({ nothing: true }) },
      { key: undefined, body: JSON.stringify({ events: [] }) },
      { key: 'sb_svc_not-a-real-key', body: JSON.stringify({ events: [] }) },
    ];
    for (const { key, body } of cases) {
      const viaFast = await post(app.base, { key, contentType: fast, body });
      const viaNest = await post(app.base, { key, contentType: nest, body });
      expect(viaFast.status).toBeGreaterThanOrEqual(400);
      expect({ status: viaFast.status, body: viaFast.body }).toEqual({
        status: viaNest.status,
        body: viaNest.body,
      });
    }
    expect(await ledgerCounts(app.database)).toMatchObject({ events: 4 });
  });

  it('admits the admin key as Nest does', async () => {
    const body = JSON.stringify({ events: [] });
    const viaFast = await post(app.base, { key: ledgerAdminKey, contentType: fast, body });
    const viaNest = await post(app.base, { key: ledgerAdminKey, contentType: nest, body });
    expect({ status: viaFast.status, body: viaFast.body }).toEqual({
      status: viaNest.status,
      body: viaNest.body,
    });
  });
});
