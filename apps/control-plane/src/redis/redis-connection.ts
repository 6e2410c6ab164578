import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig } from '../config/control-plane-config.ts';
import { redisKeys, type RedisKeys } from './redis-keys.ts';

/** What a caller may change about a connection (bull needs `maxRetriesPerRequest: null`, for one). */
export interface ConnectionOptions {
  maxRetriesPerRequest?: number | null;
  enableOfflineQueue?: boolean;
  enableReadyCheck?: boolean;
  connectionName?: string;
}

/** Longest wait between reconnection attempts. */
const maximumReconnectDelayMs = 2_000;

/**
 * The control plane's shared Redis clients, when `REDIS_URL` is set. Only repositories use them.
 *
 * Commands fail at once while Redis is unreachable (no offline queue, one retry), so each caller
 * applies its own policy (budgets fail open or closed, circuits fall back to local state) instead of
 * hanging a player's request. Reconnection never gives up: an outage at start-up or later only
 * lasts as long as the outage, and {@link onReady} tells callers when shared state is back.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  /** The command client; `undefined` when Redis is not configured (one instance, local state). */
  readonly client: Redis | undefined;
  readonly keys: RedisKeys;
  private readonly url: string | undefined;
  private readonly extraClients = new Set<Redis>();

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.url = config.redisUrl;
    this.keys = redisKeys(config.redisKeyPrefix);
    this.client = this.url === undefined ? undefined : this.connect();
  }

  /** Whether `REDIS_URL` is set. */
  get configured(): boolean {
    return this.client !== undefined;
  }

  /** Whether the command client is connected right now. */
  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  /** Calls `listener` every time the command client (re)connects. */
  onReady(listener: () => void): void {
    this.client?.on('ready', listener);
  }

  /**
   * A separate connection (pub/sub subscribers and blocking commands need their own), closed with
   * the application. Throws when Redis is not configured.
   */
  createClient(options: ConnectionOptions = {}): Redis {
    if (this.url === undefined) throw new Error('Redis is not configured: set REDIS_URL.');
    const client = this.connect(options);
    this.extraClients.add(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = [...this.extraClients, ...(this.client === undefined ? [] : [this.client])];
    this.extraClients.clear();
    // disconnect() also cancels pending reconnect timers, which quit() would leave running while Redis is down.
    await Promise.all(
      clients.map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => undefined);
        client.disconnect();
      }),
    );
  }

  private connect(options: ConnectionOptions = {}): Redis {
    const client = new Redis(this.url as string, {
      connectTimeout: 1_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, maximumReconnectDelayMs),
      ...options,
    });
    // Errors surface through the commands that fail; without a listener ioredis prints each one.
    client.on('error', () => undefined);
    return client;
  }
}
