import type { RouteScope } from '../http/route-scope.ts';
import type { ApiKeyScope } from './api-key.ts';
import type { MetricsAccess } from './auth-options.ts';

/** What a route requires: nothing (`open`), or a key with at least this scope. */
export type RouteAccess = 'open' | RouteScope;

const rank: Readonly<Record<RouteAccess, number>> = { open: 0, service: 1, admin: 2 };

/**
 * The access a route needs: the scope its controller declares (`ROUTE_SCOPE`), and never less than
 * its path implies (`/admin/*` admin, `/v1/*` service), so a controller that forgot its decorator is
 * still protected. `/metrics` needs admin only when `metricsAccess` says so; everything else
 * (`/health/*`, `/docs`) is open.
 *
 * @param path the matched route template (`/admin/api-keys/:id/revoke`), or the request path.
 */
export function requiredAccess(
  declared: RouteScope | undefined,
  path: string,
  metricsAccess: MetricsAccess,
): RouteAccess {
  const byPath = accessByPath(path, metricsAccess);
  if (declared === undefined) return byPath;
  return rank[declared] >= rank[byPath] ? declared : byPath;
}

function accessByPath(path: string, metricsAccess: MetricsAccess): RouteAccess {
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path === '/v1' || path.startsWith('/v1/')) return 'service';
  if (path === '/metrics' && metricsAccess === 'admin') return 'admin';
  return 'open';
}

/** True when a key of `scope` may use a route that needs `access`: admin may do everything. */
export function scopeGrants(scope: ApiKeyScope, access: RouteAccess): boolean {
  return rank[scope] >= rank[access];
}

/**
 * Routes of the OpenAI-compatible surface, whose errors — authentication's included — must be in
 * OpenAI's shape, since the clients talking to them (the `openai` packages, LangChain, OpenHands)
 * parse only that.
 */
export function usesOpenAiErrorShape(path: string): boolean {
  return /^\/v1\/(chat\/completions|completions|embeddings|models)(\/|$)/.test(path);
}
