import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { Options } from 'pino-http';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig, LogLevel } from '../config/control-plane-config.ts';
import {
  dropMessageContent,
  logRedactPaths,
  redactedValue,
  serializeError,
  serializeRequest,
  serializeResponse,
} from './log-privacy.ts';

/** How the control plane logs. */
export interface LoggerSettings {
  level: LogLevel;
  /**
   * Where JSON lines go. Default: standard output. Tests pass a stream that captures the lines to
   * prove that secrets and message content never reach them.
   */
  destination?: DestinationStream | undefined;
  /**
   * A successful request on a hot path ({@link hotPaths}) slower than this many milliseconds is
   * still logged at `info`; faster ones log at `debug`. Default: {@link defaultSlowRequestMs}.
   */
  slowRequestMs?: number | undefined;
}

/**
 * The gateway's per-request routes and the SDK's telemetry ingest (a batch every second from every
 * game service). Their successful answers log at `debug`, not `info`: at
 * thousands of requests a second one JSON line each costs measurable CPU and floods the log,
 * while Prometheus (`/metrics`) already counts them and records their latency. Errors (4xx at
 * `warn`, 5xx at `error`) and slow answers are still logged at their usual levels.
 */
export const hotPaths: ReadonlySet<string> = new Set(['/v1/select', '/v1/chat/completions', '/v1/telemetry']);

/** A hot-path request that took at least this long (milliseconds) is worth a line at `info`. */
export const defaultSlowRequestMs = 1_000;

/** What decides the level of one request's log line. */
export interface RequestOutcome {
  /** The request's path, without the query string. */
  path: string;
  statusCode: number;
  /** Whether the request ended with an error (thrown, or the connection failed). */
  failed: boolean;
  /** Milliseconds from arrival to the end of the response; `undefined` when unknown. */
  elapsedMs: number | undefined;
}

/**
 * The level of a request's log line: `error` for failures and 5xx, `warn` for 4xx, `info`
 * otherwise, except fast successes on {@link hotPaths}, which log at `debug` (see there why). An
 * unknown duration counts as slow, so nothing is hidden by accident.
 */
export function requestLogLevel(outcome: RequestOutcome, slowRequestMs: number): LevelWithSilent {
  if (outcome.failed || outcome.statusCode >= 500) return 'error';
  if (outcome.statusCode >= 400) return 'warn';
  const fast = outcome.elapsedMs !== undefined && outcome.elapsedMs < slowRequestMs;
  return fast && hotPaths.has(outcome.path) ? 'debug' : 'info';
}

/** Paths polled by orchestrators and scrapers every few seconds: logging each would drown the rest. */
const quietPaths: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

/** A client's request id is kept when it is short and plain; anything else gets a fresh UUID. */
const acceptableRequestId = /^[\w.:-]{1,64}$/;

/** The request's id for its log line: the client's `x-request-id` when acceptable, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && acceptableRequestId.test(given) ? given : randomUUID();
}

/**
 * nestjs-pino's settings: one JSON line per request (method, path, status, time; never the body,
 * the query string or credentials), secrets censored by path, message content censored by key at
 * any depth, and error causes left out. 4xx answers log at `warn`, 5xx at `error`; fast successful
 * answers on the gateway's hot paths at `debug` (see {@link requestLogLevel}).
 */
export function createLoggerParams(settings: LoggerSettings): Params {
  const slowRequestMs = settings.slowRequestMs ?? defaultSlowRequestMs;
  /** When each request arrived (`performance.now()`), stamped when its id is made. */
  const arrivedAt = new WeakMap<IncomingMessage, number>();
  const options: Options<IncomingMessage, ServerResponse> = {
    level: settings.level,
    redact: { paths: [...logRedactPaths], censor: redactedValue },
    formatters: { log: dropMessageContent },
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    quietReqLogger: true,
    genReqId: (request) => {
      arrivedAt.set(request, performance.now());
      return requestIdOf(request);
    },
    customLogLevel: (request, response, error): LevelWithSilent => {
      const arrival = arrivedAt.get(request);
      return requestLogLevel(
        {
          // Express keeps the full URL in `originalUrl` while a router rewrites `url`.
          path: pathOf((request as { originalUrl?: string }).originalUrl ?? request.url),
          statusCode: response.statusCode,
          failed: error !== undefined,
          elapsedMs: arrival === undefined ? undefined : performance.now() - arrival,
        },
        slowRequestMs,
      );
    },
    autoLogging: { ignore: (request) => quietPaths.has(pathOf(request.url)) },
  };
  return {
    pinoHttp: settings.destination === undefined ? options : [options, settings.destination],
    // Nest 11's path syntax for "every route" (the library's default `*` draws a deprecation warning).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}

/**
 * nestjs-pino's `LoggerModule`, configured from the validated settings. Add it to the application's
 * imports and call `app.useLogger(app.get(Logger))` so Nest's own messages are JSON lines too.
 */
export function createObservabilityLoggerModule(destination?: DestinationStream): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [CONTROL_PLANE_CONFIG],
    useFactory: (config: ControlPlaneConfig): Params =>
      createLoggerParams({ level: config.logLevel, destination }),
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}
