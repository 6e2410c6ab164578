import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from './api-key.ts';
import { missingKeyMessage } from './auth-errors.ts';
import { startAuthTestApp, type AuthTestApp } from './__fixtures__/auth-test-app.ts';
import {
  createTestDatabaseLocation,
  testEngines,
  type TestDatabaseLocation,
} from './__fixtures__/test-database.ts';

interface ErrorBody {
  error: { code: string | null; message: string; type?: string; param?: string | null };
}

const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

async function call(
  app: AuthTestApp,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

function generatedKeyIn(announced: readonly string[]): string {
  const match = /sb_admin_[A-Za-z0-9_-]{43}/.exec(announced.join('\n'));
  if (match === null) throw new Error('no key was announced');
  return match[0];
}

for (const target of testEngines) {
  describe.skipIf(!target.available)(`API keys and the guard (${target.name})`, () => {
    let location: TestDatabaseLocation;
    let app: AuthTestApp;
    let adminKey: string;

    beforeAll(async () => {
      location = await createTestDatabaseLocation(target);
      app = await startAuthTestApp(await location.open());
      adminKey = generatedKeyIn(app.announced);
    });

    afterAll(async () => {
      await app?.close();
      await location?.remove();
    });

    it('generates the first admin key at first start and prints it once, telling the operator to store it', async () => {
      expect(app.announced).toHaveLength(1);
      expect(app.announced[0]).toMatch(/store it now/i);
      const listed = await call(app, 'GET', '/admin/api-keys', bearer(adminKey));
      expect(listed.status).toBe(200);
      expect((listed.json as { data: { scope: string }[] }).data).toEqual([
        expect.objectContaining({
          scope: 'admin',
          name: expect.stringMatching(/bootstrap/),
          revokedAt: null,
        }),
      ]);
    });

    it('refuses a request without a key with 401 and says how to send one', async () => {
      const response = await call(app, 'GET', '/admin/api-keys');
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ error: { code: 'unauthorized', message: missingKeyMessage } });
    });

    it('refuses an unknown key with 401 saying it is unknown or revoked', async () => {
      const response = await call(app, 'GET', '/admin/api-keys', bearer(`sb_admin_${'x'.repeat(43)}`));
      expect(response.status).toBe(401);
      expect((response.json as ErrorBody).error.message).toMatch(/^Unknown or revoked API key/);
    });

    it('names the Bearer scheme when the Authorization header uses another one', async () => {
      const response = await call(app, 'GET', '/v1/things', { authorization: `Basic ${adminKey}` });
      expect(response.status).toBe(401);
      expect((response.json as ErrorBody).error.message).toContain('Bearer <key>');
    });

    it('accepts the key in x-api-key as well as in Authorization', async () => {
      expect((await call(app, 'GET', '/v1/things', { 'x-api-key': adminKey })).status).toBe(200);
      expect((await call(app, 'GET', '/v1/things', bearer(adminKey))).status).toBe(200);
    });

    it('returns a new key once, and never a key or a hash in lists', async () => {
      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'game-server',
        scope: 'service',
      });
      expect(created.status).toBe(201);
      const body = created.json as { id: string; key: string; prefix: string; scope: string };
      expect(body.key).toMatch(/^sb_service_[A-Za-z0-9_-]{43}$/);
      expect(body.key.startsWith(body.prefix.replace('…', ''))).toBe(true);
      expect(created.text).not.toContain(hashApiKey(body.key));

      const listed = await call(app, 'GET', '/admin/api-keys', bearer(adminKey));
      expect(listed.text).not.toContain(body.key);
      expect(listed.text).not.toContain(hashApiKey(body.key));
      expect(listed.text).not.toContain(adminKey);
      expect(listed.text).not.toContain(hashApiKey(adminKey));
      const entries = (listed.json as { data: Record<string, unknown>[] }).data;
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const entry of entries) {
        expect(Object.keys(entry).sort()).toEqual(
          ['createdAt', 'id', 'name', 'prefix', 'rateLimitPerMinute', 'revokedAt', 'scope'].sort(),
        );
      }
    });

    it('lets a service key use /v1 but refuses /admin with 403 naming the scope needed', async () => {
      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'svc',
        scope: 'service',
      });
      const serviceKey = (created.json as { key: string }).key;
      expect((await call(app, 'GET', '/v1/things', bearer(serviceKey))).status).toBe(200);

      const refused = await call(app, 'GET', '/admin/api-keys', bearer(serviceKey));
      expect(refused.status).toBe(403);
      const error = (refused.json as ErrorBody).error;
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/needs an API key with scope admin/);
      expect(error.message).toContain('has scope service');
      expect(error.message).toContain('POST /admin/api-keys');
      expect(error.message).not.toContain(serviceKey);
    });

    it('protects an /admin path even when its controller declares no scope', async () => {
      expect((await call(app, 'GET', '/admin/undeclared')).status).toBe(401);
      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'svc2',
        scope: 'service',
      });
      const serviceKey = (created.json as { key: string }).key;
      expect((await call(app, 'GET', '/admin/undeclared', bearer(serviceKey))).status).toBe(403);
      expect((await call(app, 'GET', '/admin/undeclared', bearer(adminKey))).status).toBe(200);
    });

    it('leaves open routes and /metrics open by default', async () => {
      expect((await call(app, 'GET', '/open')).status).toBe(200);
      const metrics = await call(app, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('switchboard_http_requests_total');
    });

    it('revokes a key: it stops working at once, and revoking again changes nothing', async () => {
      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'temp',
        scope: 'service',
      });
      const { id, key } = created.json as { id: string; key: string };
      expect((await call(app, 'GET', '/v1/things', bearer(key))).status).toBe(200);

      const revoked = await call(app, 'POST', `/admin/api-keys/${id}/revoke`, bearer(adminKey));
      expect(revoked.status).toBe(200);
      const revokedAt = (revoked.json as { revokedAt: string }).revokedAt;
      expect(revokedAt).toBe(new Date(app.clock.now()).toISOString());
      expect(revoked.text).not.toContain(key);

      const refused = await call(app, 'GET', '/v1/things', bearer(key));
      expect(refused.status).toBe(401);
      expect((refused.json as ErrorBody).error.message).toMatch(/revoked/);

      app.clock.advance(1_000);
      const again = await call(app, 'POST', `/admin/api-keys/${id}/revoke`, bearer(adminKey));
      expect((again.json as { revokedAt: string }).revokedAt).toBe(revokedAt);
    });

    it('answers 404 naming the id when revoking a key that does not exist', async () => {
      const response = await call(app, 'POST', '/admin/api-keys/no-such-key/revoke', bearer(adminKey));
      expect(response.status).toBe(404);
      expect((response.json as ErrorBody).error.message).toContain('"no-such-key"');
    });

    it('refuses to revoke the last active admin key, and says to create another first', async () => {
      const listed = await call(app, 'GET', '/admin/api-keys', bearer(adminKey));
      const bootstrap = (listed.json as { data: { id: string; name: string }[] }).data.find((entry) =>
        entry.name.startsWith('bootstrap'),
      )!;
      const refused = await call(app, 'POST', `/admin/api-keys/${bootstrap.id}/revoke`, bearer(adminKey));
      expect(refused.status).toBe(409);
      expect((refused.json as ErrorBody).error.message).toMatch(
        /last active admin key.*Create another admin key first/s,
      );
      expect((await call(app, 'GET', '/admin/api-keys', bearer(adminKey))).status).toBe(200);
    });

    it('rejects a malformed create request with 400 naming each field', async () => {
      const response = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        scope: 'root',
        rateLimitPerMinute: 0.5,
        extra: true,
      });
      expect(response.status).toBe(400);
      const error = (
        response.json as { error: { code: string; issues: { path: string; message: string }[] } }
      ).error;
      expect(error.code).toBe('invalid_request');
      const paths = error.issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['name', 'scope', 'rateLimitPerMinute']));
      expect(error.issues.find((issue) => issue.path === 'scope')?.message).toContain('"admin" or "service"');
    });

    it('limits each key to its rate: 429 with Retry-After, and the bucket refills with time', async () => {
      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'limited',
        scope: 'service',
        rateLimitPerMinute: 2,
      });
      const key = (created.json as { key: string }).key;
      const first = await call(app, 'GET', '/v1/things', bearer(key));
      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
      expect((await call(app, 'GET', '/v1/things', bearer(key))).status).toBe(200);

      const limited = await call(app, 'GET', '/v1/things', bearer(key));
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('30');
      const error = (limited.json as ErrorBody).error;
      expect(error.code).toBe('rate_limited');
      expect(error.message).toMatch(/2 requests per minute.*Retry after 30 s/s);

      // Other keys are not affected by this key's limit.
      expect((await call(app, 'GET', '/v1/things', bearer(adminKey))).status).toBe(200);

      app.clock.advance(30_000);
      expect((await call(app, 'GET', '/v1/things', bearer(key))).status).toBe(200);
    });

    it('answers the OpenAI-compatible routes in OpenAI error shape', async () => {
      const missing = await call(app, 'POST', '/v1/chat/completions', {}, { model: 'x', messages: [] });
      expect(missing.status).toBe(401);
      expect(missing.json).toEqual({
        error: { message: missingKeyMessage, type: 'invalid_request_error', param: null, code: null },
      });

      const unknown = await call(app, 'POST', '/v1/chat/completions', bearer('sk-not-a-key'), {});
      expect(unknown.status).toBe(401);
      expect(unknown.json).toEqual({
        error: {
          message: expect.stringMatching(/^Unknown or revoked API key/),
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });

      const created = await call(app, 'POST', '/admin/api-keys', bearer(adminKey), {
        name: 'openai-limited',
        scope: 'service',
        rateLimitPerMinute: 1,
      });
      const key = (created.json as { key: string }).key;
      expect((await call(app, 'POST', '/v1/chat/completions', bearer(key), {})).status).toBe(201);
      const limited = await call(app, 'POST', '/v1/chat/completions', bearer(key), {});
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(limited.json).toEqual({
        error: {
          message: expect.stringContaining('Rate limit exceeded'),
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      });
    });
  });

  describe.skipIf(!target.available)(`bootstrap admin key across restarts (${target.name})`, () => {
    it('prints a generated key only at the first start', async () => {
      const location = await createTestDatabaseLocation(target);
      try {
        const first = await startAuthTestApp(await location.open());
        const key = generatedKeyIn(first.announced);
        await first.close();

        const second = await startAuthTestApp(await location.open());
        try {
          expect(second.announced).toEqual([]);
          expect((await call(second, 'GET', '/admin/api-keys', bearer(key))).status).toBe(200);
        } finally {
          await second.close();
        }
      } finally {
        await location.remove();
      }
    });

    it('stores SWITCHBOARD_ADMIN_KEY hashed, prints nothing, and does not store it twice', async () => {
      const location = await createTestDatabaseLocation(target);
      const environmentKey = 'operator-chosen-admin-key-0123456789';
      try {
        const first = await startAuthTestApp(await location.open(), { adminKey: environmentKey });
        expect(first.announced).toEqual([]);
        await first.close();

        const second = await startAuthTestApp(await location.open(), { adminKey: environmentKey });
        try {
          const listed = await call(second, 'GET', '/admin/api-keys', bearer(environmentKey));
          expect(listed.status).toBe(200);
          const entries = (listed.json as { data: { scope: string; prefix: string }[] }).data;
          expect(entries).toEqual([expect.objectContaining({ scope: 'admin', prefix: 'oper…' })]);
          expect(listed.text).not.toContain(environmentKey);
        } finally {
          await second.close();
        }
      } finally {
        await location.remove();
      }
    });

    it('requires an admin key for /metrics when metricsAccess is admin', async () => {
      const location = await createTestDatabaseLocation(target);
      try {
        const app = await startAuthTestApp(await location.open(), { auth: { metricsAccess: 'admin' } });
        try {
          expect((await call(app, 'GET', '/metrics')).status).toBe(401);
          const key = generatedKeyIn(app.announced);
          expect((await call(app, 'GET', '/metrics', bearer(key))).status).toBe(200);
        } finally {
          await app.close();
        }
      } finally {
        await location.remove();
      }
    });
  });
}
