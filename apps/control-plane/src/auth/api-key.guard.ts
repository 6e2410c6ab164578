import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ROUTE_SCOPE, type RouteScope } from '../http/route-scope.ts';
import { ApiKeyService, type AuthenticatedKey } from './api-key.service.ts';
import { authErrorsFor } from './auth-errors.ts';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options.ts';
import { RATE_LIMITER, type RateLimiter } from './rate-limiter.ts';
import { requiredAccess, scopeGrants, usesOpenAiErrorShape } from './route-access.ts';

/** A request as the guard leaves it: with the key that authenticated it, for handlers that need it. */
export interface AuthenticatedRequest extends IncomingMessage {
  /** Set by Express once a route matched. */
  route?: { path?: unknown } | undefined;
  /** The key the request presented; absent on open routes. */
  apiKey?: AuthenticatedKey | undefined;
}

/** The key a request authenticated with, or `undefined` on open routes (for the gateway, cost). */
export function apiKeyOf(request: IncomingMessage): AuthenticatedKey | undefined {
  return (request as AuthenticatedRequest).apiKey;
}

type PresentedKey = { kind: 'key'; key: string } | { kind: 'missing' } | { kind: 'malformed' };

/**
 * Reads the key from `Authorization: Bearer <key>` (what OpenAI clients send) or `x-api-key`.
 * An Authorization header of another scheme is a mistake worth naming rather than "missing".
 */
export function presentedKeyOf(headers: IncomingMessage['headers']): PresentedKey {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
    return match === null ? { kind: 'malformed' } : { kind: 'key', key: match[1]! };
  }
  const headerKey = headers['x-api-key'];
  if (typeof headerKey === 'string' && headerKey.trim() !== '') return { kind: 'key', key: headerKey.trim() };
  return { kind: 'missing' };
}

/**
 * The global guard: every route that needs a key (by its controller's `ROUTE_SCOPE`, or by its path
 * under `/admin` or `/v1`) gets one checked, scoped and rate limited here. Refusals say what to do;
 * on the OpenAI-compatible routes they come in OpenAI's error shape. Sets
 * `x-ratelimit-limit-requests` / `x-ratelimit-remaining-requests` (OpenAI's names) and, on 429,
 * `Retry-After`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const declared = this.reflector.getAllAndOverride<RouteScope | undefined>(ROUTE_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    return this.admit(request, http.getResponse<ServerResponse>(), routePathOf(request), declared);
  }

  /**
   * The check itself, outside Nest's pipeline too: the gateway's fast path (which answers its two
   * hot routes before Nest's router) calls it with the route's path and declared scope, so both
   * paths share one set of auth rules and one rate limiter. Throws the refusal; sets the headers.
   */
  async admit(
    request: AuthenticatedRequest,
    response: ServerResponse,
    path: string,
    declared: RouteScope | undefined,
  ): Promise<true> {
    const access = requiredAccess(declared, path, this.options.metricsAccess);
    if (access === 'open') return true;

    const errors = authErrorsFor(usesOpenAiErrorShape(path));
    const presented = presentedKeyOf(request.headers);
    if (presented.kind === 'missing') throw errors.missingKey();
    if (presented.kind === 'malformed') throw errors.malformedAuthorization();
    const key = await this.keys.authenticate(presented.key);
    if (key === undefined) throw errors.unknownKey();
    if (!scopeGrants(key.scope, access)) throw errors.insufficientScope(access, key.prefix, key.scope);

    const limit = key.rateLimitPerMinute ?? this.options.defaultRateLimitPerMinute;
    const decision = await this.limiter.take(key.id, limit, this.clock.now());
    response.setHeader('x-ratelimit-limit-requests', String(limit));
    if (!decision.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      response.setHeader('retry-after', String(retryAfterSeconds));
      response.setHeader('x-ratelimit-remaining-requests', '0');
      throw errors.rateLimited(key.prefix, limit, retryAfterSeconds);
    }
    response.setHeader('x-ratelimit-remaining-requests', String(decision.remaining));
    request.apiKey = key;
    return true;
  }
}

/** The matched route's template when Express has one, else the request's path without its query. */
function routePathOf(request: AuthenticatedRequest): string {
  const template = request.route?.path;
  if (typeof template === 'string') return template;
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}
