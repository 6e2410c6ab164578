import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { MetricsService } from './metrics.service.ts';

/**
 * The route label of requests no specific route handled (404s, bodies that failed to parse), so
 * scanners cannot mint new series. Such requests carry only a catch-all template (`/{*path}`, the
 * one middleware is mounted on), which is folded into this label.
 */
export const unmatchedRoute = 'unmatched';

/** The fields Express adds to a request that this middleware reads. */
interface RoutedRequest extends IncomingMessage {
  /** Set by Express once a route matched; `path` is its template (`/admin/api-keys/:id/revoke`). */
  route?: { path?: unknown } | undefined;
}

/**
 * Counts every HTTP request by route template, method and status, and times it. It runs as
 * middleware, before guards, so requests refused by authentication (401/403/429) are counted too;
 * the route is read when the response closes, after Express has matched it.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware<RoutedRequest, ServerResponse> {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  use(request: RoutedRequest, response: ServerResponse, next: (error?: unknown) => void): void {
    const startedAt = performance.now();
    // `close` fires for finished and for aborted responses alike; `finish` misses the aborted ones.
    response.once('close', () => {
      const path = request.route?.path;
      this.metrics.recordHttpRequest({
        route: typeof path === 'string' && !path.includes('*') ? path : unmatchedRoute,
        method: request.method ?? 'GET',
        status: response.statusCode,
        durationSeconds: (performance.now() - startedAt) / 1000,
      });
    });
    next();
  }
}
