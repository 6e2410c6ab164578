import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ArgumentsHost } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { ApiKeyGuard, apiKeyOf, type AuthenticatedRequest } from '../auth/api-key.guard.ts';
import { ApiKeyService } from '../auth/api-key.service.ts';
import { AUTH_OPTIONS, type AuthOptions } from '../auth/auth-options.ts';
import { RATE_LIMITER, type RateLimiter } from '../auth/rate-limiter.ts';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ApiExceptionFilter } from '../errors/api-exception.filter.ts';
import { defaultSlowRequestMs, requestIdOf, requestLogLevel } from '../observability/logger-params.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { LedgerService } from './ledger.service.ts';
import { ingestTelemetryBody } from './telemetry.controller.ts';

/** The one route answered here; every other request goes on to the next listener (Express). */
const telemetryPath = '/v1/telemetry';

/** The JSON body limit of `app.ts` (`16mb`), in bytes; larger bodies go the normal way (413). */
const bodyLimitBytes = 16 * 1024 * 1024;

/** `application/json`, optionally with `charset=utf-8`: the only bodies parsed here. */
const plainJsonContentType = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** body-parser's strict mode: a JSON body must be an object or an array. */
const firstNonWhitespace = /^[ \t\n\r]*([^ \t\n\r])/;

/** The services the fast path shares with Nest's controller, guard and filter. */
export interface TelemetryFastPathServices {
  ledger: LedgerService;
  guard: ApiKeyGuard;
  metrics: MetricsService | undefined;
  /** Whether Express would add `X-Powered-By` (its default). */
  poweredBy: boolean;
}

/**
 * Answers `POST /v1/telemetry` straight from the HTTP server, before Express's router and Nest's
 * pipeline. A batch of 100 events is one request, and the per-request machinery (body-parser and
 * raw-body, a dozen Express layers, pino-http's child loggers, Nest's guard and response plumbing)
 * was a fifth of the control plane's CPU per ingested event. The same pattern and the same rules
 * as `gateway-fast-path.ts`: the same {@link ApiKeyGuard} check and rate limiter, the same
 * {@link ingestTelemetryBody} the controller calls, the same exception filter, HTTP metrics and
 * request log line; a request this path does not fully understand (another method or path, a
 * content type other than plain JSON, a compressed, chunked or oversized body) goes on to Express
 * untouched, so its answer is Nest's.
 */
export class TelemetryFastPath {
  readonly #filter = new ApiExceptionFilter();

  constructor(private readonly services: TelemetryFastPathServices) {}

  /** Takes the request when it is `POST /v1/telemetry` in plain JSON; false leaves it to Express. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.method !== 'POST') return false;
    const url = request.url ?? '';
    const queryAt = url.indexOf('?');
    if ((queryAt === -1 ? url : url.slice(0, queryAt)) !== telemetryPath) return false;
    const headers = request.headers;
    const contentType = headers['content-type'];
    if (contentType === undefined || !plainJsonContentType.test(contentType)) return false;
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    if (headers['transfer-encoding'] !== undefined) return false;
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length <= 0 || length > bodyLimitBytes) return false;

    const startedAt = performance.now();
    if (this.services.poweredBy) response.setHeader('x-powered-by', 'Express');
    response.once('close', () => this.finished(request, response, startedAt));
    void this.serve(request, response, length);
    return true;
  }

  private async serve(request: IncomingMessage, response: ServerResponse, length: number): Promise<void> {
    try {
      const body = await readJsonBody(request, length);
      await this.services.guard.admit(request as AuthenticatedRequest, response, telemetryPath, 'service');
      const accepted = await ingestTelemetryBody(this.services.ledger, body, apiKeyOf(request)?.id ?? null);
      const answer = JSON.stringify(accepted);
      response.statusCode = 200;
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.setHeader('content-length', Buffer.byteLength(answer));
      response.end(answer);
    } catch (error) {
      this.#filter.catch(error, httpHostOf(request, response));
    }
  }

  /** What the HTTP metrics middleware and pino-http record for every request. */
  private finished(request: IncomingMessage, response: ServerResponse, startedAt: number): void {
    const elapsedMs = performance.now() - startedAt;
    this.services.metrics?.recordHttpRequest({
      route: telemetryPath,
      method: 'POST',
      status: response.statusCode,
      durationSeconds: elapsedMs / 1000,
    });
    const root = PinoLogger.root as Pino | undefined;
    if (root === undefined) return;
    const level = requestLogLevel(
      { path: telemetryPath, statusCode: response.statusCode, failed: false, elapsedMs },
      defaultSlowRequestMs,
    );
    // Fast successes log at debug: at the default level no line, and no child logger, is built.
    if (level === 'silent' || !root.isLevelEnabled(level)) return;
    const id = requestIdOf(request);
    (request as { id?: unknown }).id = id;
    const log = root.child({ reqId: id }).child({ req: request });
    const responseTime = Math.round(elapsedMs);
    if (response.statusCode >= 500) {
      const err = new Error(`failed with status code ${response.statusCode}`);
      log[level]({ res: response, err, responseTime }, 'request errored');
    } else {
      log[level]({ res: response, responseTime }, 'request completed');
    }
  }
}

/** A body-parser error as `toApiError` classifies it (`http-errors`: a status and a `type`). */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

/** The body as body-parser's `json()` would read it (UTF-8, strict), or its error. */
function readJsonBody(request: IncomingMessage, length: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (received !== length) {
        reject(bodyError(400, 'request.size.invalid', 'request size did not match content length'));
        return;
      }
      const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
      let text = buffer.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const first = firstNonWhitespace.exec(text)?.[1];
      if (first !== '{' && first !== '[') {
        reject(bodyError(400, 'entity.parse.failed', 'Unexpected token in JSON'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(
          bodyError(400, 'entity.parse.failed', error instanceof Error ? error.message : 'invalid JSON'),
        );
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(bodyError(400, 'request.aborted', error.message));
    };
    const onAborted = (): void => {
      cleanup();
      reject(bodyError(400, 'request.aborted', 'request aborted'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

/** The little of Nest's `ArgumentsHost` the exception filter reads. */
function httpHostOf(request: IncomingMessage, response: ServerResponse): ArgumentsHost {
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
  return { getType: () => 'http', switchToHttp: () => http } as unknown as ArgumentsHost;
}

/**
 * Puts the {@link TelemetryFastPath} in front of the application's HTTP server's current request
 * listeners (Express, and the gateway's fast path when installed). Call after `app.init()` and
 * before `listen()`. Does nothing when the application has no ledger or no auth module (test
 * applications built from parts), so those keep Nest's pipeline.
 */
export function installTelemetryFastPath(app: NestExpressApplication): TelemetryFastPath | undefined {
  let services: TelemetryFastPathServices;
  try {
    services = {
      ledger: app.get(LedgerService),
      guard: new ApiKeyGuard(
        app.get(Reflector),
        app.get(ApiKeyService),
        app.get<RateLimiter>(RATE_LIMITER),
        app.get<AuthOptions>(AUTH_OPTIONS),
        app.get<Clock>(CLOCK),
      ),
      metrics: optional(() => app.get(MetricsService)),
      poweredBy: (app.getHttpAdapter().getInstance() as { enabled(name: string): boolean }).enabled(
        'x-powered-by',
      ),
    };
  } catch {
    return undefined;
  }
  const fastPath = new TelemetryFastPath(services);
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (fastPath.handle(request, response)) return;
    for (const listener of listeners) listener.call(server, request, response);
  });
  return fastPath;
}

function optional<Value>(get: () => Value): Value | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
