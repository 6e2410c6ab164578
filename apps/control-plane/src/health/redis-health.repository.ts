import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig } from '../config/control-plane-config.ts';
import { withTimeout } from './with-timeout.ts';

/**
 * Asks Redis whether it answers, for readiness, when REDIS_URL is configured. Its own small client:
 * connects lazily (a control plane whose Redis is down still starts and reports not ready), gives up
 * on a command after one retry, and is disconnected on shutdown so reconnect timers never keep the
 * process alive.
 */
@Injectable()
export class RedisHealthRepository implements OnApplicationShutdown {
  private readonly client: Redis | undefined;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.client =
      config.redisUrl === undefined
        ? undefined
        : new Redis(config.redisUrl, {
            lazyConnect: true,
            connectTimeout: 1_000,
            maxRetriesPerRequest: 1,
            retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
          });
    // Connection errors surface through ping(); without a listener ioredis would print each one.
    this.client?.on('error', () => undefined);
  }

  /** Whether REDIS_URL is set, and so whether readiness checks Redis at all. */
  get configured(): boolean {
    return this.client !== undefined;
  }

  /** Resolves when Redis answers PING within `timeoutMs`; rejects with the reason otherwise. */
  async ping(timeoutMs: number): Promise<void> {
    if (this.client === undefined) return;
    await withTimeout(this.client.ping(), timeoutMs, 'Redis');
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}
