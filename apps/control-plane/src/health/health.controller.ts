import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DatabaseHealthRepository } from './database-health.repository.ts';
import { HEALTH_OPTIONS, type HealthOptions } from './health-options.ts';
import { RedisHealthRepository } from './redis-health.repository.ts';

/**
 * Liveness and readiness for orchestrators and load balancers; open, no key needed. Both answer in
 * terminus' shape (`{ status, info, error, details }`), which such tools and dashboards know; a
 * failing readiness answers 503 with the failing dependency and its reason under `error`.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(DatabaseHealthRepository) private readonly database: DatabaseHealthRepository,
    @Inject(RedisHealthRepository) private readonly redis: RedisHealthRepository,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  /** 200 while the process runs and serves HTTP; checks nothing else, so a slow database never restarts it. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  /** 200 when the database (and Redis, when REDIS_URL is set) answers; 503 naming what does not. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) response: ServerResponse): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.checkDatabase()];
    if (this.redis.configured) checks.push(() => this.checkRedis());
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.statusCode = 503;
      return error.getResponse() as HealthCheckResult;
    }
  }

  private async checkDatabase(): Promise<HealthIndicatorResult<'database'>> {
    const session = this.indicators.check('database');
    try {
      await this.database.ping(this.options.readinessTimeoutMs);
      return session.up({ engine: this.database.engine });
    } catch (error) {
      return session.down({ engine: this.database.engine, message: reasonOf(error) });
    }
  }

  private async checkRedis(): Promise<HealthIndicatorResult<'redis'>> {
    const session = this.indicators.check('redis');
    try {
      await this.redis.ping(this.options.readinessTimeoutMs);
      return session.up();
    } catch (error) {
      return session.down({ message: reasonOf(error) });
    }
  }
}

/** A dependency's failure in words: the driver's message (addresses and codes, never credentials). */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message =
    error.message !== ''
      ? error.message
      : error instanceof AggregateError
        ? 'connection refused'
        : error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
