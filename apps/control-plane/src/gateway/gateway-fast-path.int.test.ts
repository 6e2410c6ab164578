import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  faultModels,
  startGatewayTestApp,
  type GatewayTestApp,
} from '../../test/support/gateway-test-app.ts';
import { testDatabaseTargets } from '../database/__fixtures__/test-databases.ts';
import { FastPath } from '../http/fast-path.ts';

const target = testDatabaseTargets().find((candidate) => candidate.name === 'PGlite')!;

/**
 * Plain `application/json` takes the fast path; `application/vnd.api+json` (which the JSON body
 * parser also reads) is left to Express and Nest. Both must answer alike.
 */
const fastContentType = 'application/json';
const nestContentType = 'application/vnd.api+json';

/** Headers every answer on these routes carries, whichever path served it. */
const comparedHeaders = [
  'content-type',
  'x-ratelimit-limit-requests',
  'x-switchboard-model',
  'x-powered-by',
] as const;

describe('the gateway fast path answers exactly like the Nest route it stands in for', () => {
  let app: GatewayTestApp;

  beforeAll(async () => {
    app = await startGatewayTestApp(target);
  });
  afterAll(() => app?.close());

  const send = async (
    path: string,
    contentType: string,
    body: string,
    authorization: Record<string, string> = app.authorization,
  ) => {
    const response = await fetch(`${app.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...authorization },
      body,
    });
    const headers = Object.fromEntries(comparedHeaders.map((name) => [name, response.headers.get(name)]));
    return { status: response.status, headers, body: (await response.json()) as Record<string, unknown> };
  };
  const both = (path: string, body: string, authorization?: Record<string, string>) =>
    Promise.all([
      send(path, fastContentType, body, authorization),
      send(path, nestContentType, body, authorization),
    ]);

  it('takes plain JSON on the fast path and leaves other JSON types to Nest', async () => {
    const handle = vi.spyOn(FastPath.prototype, 'handle');
    try {
      const body = JSON.stringify({ context: { task: 'dialogue_generation', risk: 'low' } });
      await send('/v1/select', fastContentType, body);
      await send('/v1/select', nestContentType, body);
      expect(handle.mock.results.map((result) => result.value)).toEqual([true, false]);
    } finally {
      handle.mockRestore();
    }
  });

  it('gives the same decision from /v1/select', async () => {
    const [fast, nest] = await both(
      '/v1/select',
      JSON.stringify({ context: { task: 'dialogue_generation', risk: 'low' }, estimatedInputTokens: 800 }),
    );
    expect(fast.status).toBe(200);
    expect(nest.status).toBe(200);
    expect(fast.headers).toEqual(nest.headers);
    expect(Object.keys(fast.body).sort()).toEqual(Object.keys(nest.body).sort());
    expect(fast.body.decisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives the same chat completion', async () => {
    const [fast, nest] = await both(
      '/v1/chat/completions',
      JSON.stringify({ model: faultModels.healthy, messages: [{ role: 'user', content: 'Where am I?' }] }),
    );
    expect(fast.status).toBe(200);
    expect(fast.headers).toEqual(nest.headers);
    const withoutIds = (body: Record<string, unknown>) => ({ ...body, id: undefined, created: undefined });
    expect(withoutIds(fast.body)).toEqual(withoutIds(nest.body));
  });

  it.each([
    ['/v1/select', '{"context": '],
    ['/v1/chat/completions', '{"model": "switchboard/auto", "messages": ['],
    ['/v1/select', '"a string is JSON, but not an object"'],
    ['/v1/chat/completions', '[1, 2]'],
    ['/v1/select', '{"estimatedInputTokens": 10, "unknown": true}'],
    ['/v1/chat/completions', '{"model": "nowhere/nothing", "messages": [{"role": "user", "content": "Hi"}]}'],
  ])('refuses %s %s with the same status and body', async (path, body) => {
    const [fast, nest] = await both(path, body);
    expect(fast.status).toBeGreaterThanOrEqual(400);
    expect(fast.status).toBe(nest.status);
    expect(fast.body).toEqual(nest.body);
  });

  it.each(['/v1/select', '/v1/chat/completions'])(
    'refuses a missing or unknown key on %s the same way',
    async (path) => {
      const body = JSON.stringify({ estimatedInputTokens: 1 });
      const [fastMissing, nestMissing] = await both(path, body, {});
      expect(fastMissing.status).toBe(401);
      expect(fastMissing.body).toEqual(nestMissing.body);
      const unknown = { authorization: 'Bearer sb_service_not-a-key-anyone-was-given' };
      const [fastUnknown, nestUnknown] = await both(path, body, unknown);
      expect(fastUnknown.status).toBe(401);
      expect(fastUnknown.body).toEqual(nestUnknown.body);
    },
  );

  it('counts fast-path requests in the HTTP metrics under the route template', async () => {
    await send('/v1/select', fastContentType, '{"estimatedInputTokens": 5}');
    const metrics = await (await fetch(`${app.base}/metrics`, { headers: app.authorization })).text();
    expect(metrics).toMatch(
      /switchboard_http_requests_total\{route="\/v1\/select",method="POST",status="200"\} [1-9]/,
    );
  });
});
