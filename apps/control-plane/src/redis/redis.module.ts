import { Global, Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection.ts';

/**
 * Shares one {@link RedisConnection} with every module. Present whether or not `REDIS_URL` is set;
 * callers check `configured` and fall back to in-process state for a single instance.
 */
@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
