import { randomUUID } from 'node:crypto';
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
  /**
   * This instance's id in messages it publishes, so that it can tell its own announcements (already
   * applied locally) from those of the rest of the fleet.
   */
  readonly instanceId = randomUUID();
  private readonly url: string | undefined;
  private readonly extraClients = new Set<Redis>();
  private subscriber: Redis | undefined;
  private readonly channelListeners = new Map<string, Set<(message: string) => void>>();

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
   * Calls `listener` with every message published on `channel`, through one subscriber connection
   * shared by every feature of this instance (opened at the first call). The subscription survives
   * reconnections; messages published while the connection was down are lost, so callers catch up
   * in {@link onSubscriberReady}. Returns the function that stops listening. Throws when Redis is
   * not configured.
   */
  subscribe(channel: string, listener: (message: string) => void): () => void {
    const subscriber = this.subscriberClient();
    let listeners = this.channelListeners.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      this.channelListeners.set(channel, listeners);
      subscriber.subscribe(channel).catch(() => undefined);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  /**
   * Calls `listener` every time the shared subscriber (re)connects, as its subscriptions are
   * renewed: the moment to read what was missed while it was away.
   */
  onSubscriberReady(listener: () => void): void {
    this.subscriberClient().on('ready', listener);
  }

  private subscriberClient(): Redis {
    if (this.subscriber !== undefined) return this.subscriber;
    // Subscribing before the first connection needs the offline queue; ioredis renews subscriptions on reconnect.
    const subscriber = this.createClient({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of [...(this.channelListeners.get(channel) ?? [])]) {
        try {
          listener(message);
        } catch {
          // One broken listener must not keep the message from the others.
        }
      }
    });
    this.subscriber = subscriber;
    return subscriber;
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
