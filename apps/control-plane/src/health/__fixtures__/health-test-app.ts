import 'reflect-metadata';
import type { INestApplication, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Clock } from '../../config/clock.ts';
import { ConfigModule } from '../../config/config.module.ts';
import {
  loadControlPlaneConfig,
  type ControlPlaneConfigOverrides,
} from '../../config/control-plane-config.ts';
import type { Database } from '../../database/database.ts';
import { DatabaseModule } from '../../database/database.module.ts';
import type { OpenedDatabase } from '../../database/open-database.ts';
import { ApiExceptionFilter } from '../../errors/api-exception.filter.ts';
import { ObservabilityModule } from '../../observability/observability.module.ts';
import { RedisModule } from '../../redis/redis.module.ts';
import type { HealthOptions } from '../health-options.ts';
import { HealthModule } from '../health.module.ts';

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  advance(milliseconds: number): void;
}

export function manualClock(start = Date.UTC(2025, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

/**
 * A PostgreSQL database nobody listens for (port 1): every query fails with "connection refused",
 * which is what a down database looks like to readiness. It never connects until queried.
 */
export function unreachableDatabase(): OpenedDatabase {
  const pool = new pg.Pool({
    connectionString: 'postgres://nobody@127.0.0.1:1/none',
    connectionTimeoutMillis: 1_000,
  });
  pool.on('error', () => undefined);
  return { database: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), engine: 'postgres' };
}

export interface HealthTestApp {
  app: INestApplication;
  url: string;
  clock: ManualClock;
  close(): Promise<void>;
}

/** The health and observability modules over `opened`, plus any extra providers (runner, targets). */
export async function createHealthTestApp(
  opened: OpenedDatabase,
  options: {
    config?: ControlPlaneConfigOverrides;
    health?: Partial<HealthOptions>;
    providers?: Provider[];
    listen?: boolean;
  } = {},
): Promise<HealthTestApp> {
  const clock = manualClock();
  const config = loadControlPlaneConfig({}, { logLevel: 'silent', ...options.config });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config, clock),
      DatabaseModule.forRoot(opened),
      ObservabilityModule,
      RedisModule,
      HealthModule.forRoot(options.health),
    ],
    providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }, ...(options.providers ?? [])],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  let url = '';
  if (options.listen === false) {
    await app.init();
  } else {
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }
  return { app, url, clock, close: () => app.close() };
}
