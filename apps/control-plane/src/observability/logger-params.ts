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
}

/** Paths polled by orchestrators and scrapers every few seconds: logging each would drown the rest. */
const quietPaths: ReadonlySet<string> = new Set(['/health/live', '/health/ready', '/metrics']);

/** A client's request id is kept when it is short and plain; anything else gets a fresh UUID. */
const acceptableRequestId = /^[\w.:-]{1,64}$/;

/**
 * nestjs-pino's settings: one JSON line per request (method, path, status, time; never the body,
 * the query string or credentials), secrets censored by path, message content censored by key at
 * any depth, and error causes left out. 4xx answers log at `warn`, 5xx at `error`.
 */
export function createLoggerParams(settings: LoggerSettings): Params {
  const options: Options<IncomingMessage, ServerResponse> = {
    level: settings.level,
    redact: { paths: [...logRedactPaths], censor: redactedValue },
    formatters: { log: dropMessageContent },
    serializers: { req: serializeRequest, res: serializeResponse, err: serializeError },
    quietReqLogger: true,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && acceptableRequestId.test(given) ? given : randomUUID();
    },
    customLogLevel: (_request, response, error): LevelWithSilent => {
      if (error !== undefined || response.statusCode >= 500) return 'error';
      return response.statusCode >= 400 ? 'warn' : 'info';
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
