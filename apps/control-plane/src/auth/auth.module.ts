import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard.ts';
import { ApiKeyRepository } from './api-key.repository.ts';
import { ApiKeyService } from './api-key.service.ts';
import { ApiKeysController } from './api-keys.controller.ts';
import { AUTH_OPTIONS, defaultAuthOptions, type AuthOptions } from './auth-options.ts';
import { BootstrapAdminKey } from './bootstrap-admin-key.ts';
import { FleetRateLimiter } from './fleet-rate-limiter.ts';
import { InMemoryRateLimiter, RATE_LIMITER } from './rate-limiter.ts';
import { TokenBucketRepository } from './token-bucket.repository.ts';
import { RedisConnection } from '../redis/redis-connection.ts';

/**
 * API keys and the global guard that checks them on every route (`APP_GUARD`). Needs the config
 * and database modules (both global). Exports the key service (the gateway and cost modules may
 * read who called) and the rate limiter token (Redis-backed when REDIS_URL is set, see
 * `FleetRateLimiter`).
 */
@Module({})
export class AuthModule {
  static forRoot(options: Partial<AuthOptions> = {}): DynamicModule {
    return {
      module: AuthModule,
      controllers: [ApiKeysController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: { ...defaultAuthOptions, ...definedOnly(options) } },
        {
          provide: RATE_LIMITER,
          // With Redis, a key's limit holds across the fleet (local buckets while Redis is down).
          useFactory: (redis: RedisConnection | undefined) =>
            redis?.configured === true
              ? new FleetRateLimiter(new TokenBucketRepository(redis))
              : new InMemoryRateLimiter(),
          inject: [{ token: RedisConnection, optional: true }],
        },
        ApiKeyRepository,
        ApiKeyService,
        BootstrapAdminKey,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [ApiKeyService, RATE_LIMITER],
    };
  }
}

function definedOnly(options: Partial<AuthOptions>): Partial<AuthOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
