import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { LogLevel as NestLogLevel, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.ts';
import { setupOpenApi } from './observability/openapi.ts';
import { withQuietStartup } from './observability/quiet-startup-logger.ts';
import { gatewayFastRoutes } from './gateway/gateway-fast-path.ts';
import { telemetryFastRoutes } from './cost/telemetry-fast-path.ts';
import { installFastPath } from './http/fast-path.ts';
import { systemClock, type Clock } from './config/clock.ts';
import {
  loadControlPlaneConfig,
  type ControlPlaneConfig,
  type ControlPlaneConfigOverrides,
  type Environment,
  type LogLevel,
} from './config/control-plane-config.ts';
import { openDatabase, type DatabaseEngine } from './database/open-database.ts';
import type { RegistryEventsOptions } from './registry/registry-events.service.ts';

/** How to build a control plane; everything is optional, the defaults are the embedded setup. */
export interface ControlPlaneAppOptions {
  /** Settings that win over the environment (tests: a temporary `dataDir`, `port: 0`, a schema). */
  config?: ControlPlaneConfigOverrides | undefined;
  /** Where settings and provider key variables are read. Default `process.env`. */
  env?: Environment | undefined;
  /** Default: the system clock. */
  clock?: Clock | undefined;
  /** Nest's logger, or the levels it prints, or `false`. Default: the levels of `LOG_LEVEL`. */
  logger?: LoggerService | NestLogLevel[] | false | undefined;
  /** Event stream timing (tests shorten the heartbeat). */
  registryEvents?: Partial<RegistryEventsOptions> | undefined;
}

/** Where a listening control plane answers. */
export interface ControlPlaneUrls {
  /** `http://127.0.0.1:8787` */
  base: string;
  /** The OpenAI-compatible and SDK API root, `<base>/v1`. */
  api: string;
  /** The OpenAPI page. */
  docs: string;
  /** The readiness probe. */
  ready: string;
}

/** A control plane that has started (database open and migrated, registry seeded) but may not listen yet. */
export interface ControlPlaneApp {
  readonly app: NestExpressApplication;
  readonly config: ControlPlaneConfig;
  readonly databaseEngine: DatabaseEngine;
  /** Binds `config.host:config.port` (port 0: a free one) and says where it answers. */
  listen(): Promise<ControlPlaneUrls>;
  /** Stops serving, ends event streams, closes the database. Idempotent. */
  close(): Promise<void>;
}

const nestLevels: Record<Exclude<LogLevel, 'silent'>, NestLogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Largest JSON body accepted: a full LiteLLM price catalog is a few megabytes. */
const jsonBodyLimit = '16mb';

/**
 * Builds the control plane: reads and checks the settings, opens and migrates the database, starts
 * the Nest application and its modules (seeding the registry on first start). Used by `main.ts`
 * and by tests alike. A failure at any step closes what was opened and rethrows, so a failed start
 * never leaves a database handle keeping the process alive.
 */
export async function createControlPlaneApp(options: ControlPlaneAppOptions = {}): Promise<ControlPlaneApp> {
  const config = loadControlPlaneConfig(options.env ?? process.env, options.config);
  const database = await openDatabase(config);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        config,
        database,
        clock: options.clock ?? systemClock,
        registryEvents: options.registryEvents,
      }),
      {
        logger: options.logger ?? (config.logLevel === 'silent' ? false : nestLevels[config.logLevel]),
        bodyParser: false,
        abortOnError: false,
        bufferLogs: options.logger === undefined,
      },
    );
  } catch (error) {
    await database.database.destroy().catch(() => undefined);
    throw error;
  }
  app.useBodyParser('json', { limit: jsonBodyLimit, type: ['application/json', 'application/*+json'] });
  if (options.logger === undefined) app.useLogger(withQuietStartup(app.get(Logger)));
  // Before init, or Nest's 404 handler hides /docs.
  setupOpenApi(app);
  try {
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  // The hot routes skip Express's and Nest's per-request machinery (same services, same rules).
  installFastPath(app, [...gatewayFastRoutes(app), ...telemetryFastRoutes(app)]);

  let closed: Promise<void> | undefined;
  return {
    app,
    config,
    databaseEngine: database.engine,
    async listen() {
      await app.listen(config.port, config.host);
      const address = app.getHttpServer().address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const base = `http://${host}:${address.port}`;
      return { base, api: `${base}/v1`, docs: `${base}/docs`, ready: `${base}/health/ready` };
    },
    close() {
      closed ??= app.close();
      return closed;
    },
  };
}
