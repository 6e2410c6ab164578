import { z } from 'zod';
import type { RedisConnection } from '../redis/redis-connection.ts';
import {
  InProcessRegistryChangeBus,
  type RegistryChange,
  type RegistryChangeBus,
} from './registry-change-bus.ts';

const announcementSchema = z.object({
  origin: z.string(),
  version: z.number().int().nonnegative(),
  hash: z.string(),
});

/**
 * The registry change bus of a fleet: a change committed at this instance reaches its own
 * listeners at once (in process) and is published on `keys.registryChannel()`; a change another
 * instance published reaches this instance's listeners (its event streams, its snapshot cache) from
 * the channel. An instance ignores its own announcements coming back, so its streams hear each
 * change once.
 *
 * Pub/sub loses what is published while a subscriber is disconnected, so whenever the subscriber
 * (re)connects the current registry state is read and passed on as a change; listeners ignore
 * versions they already have. While Redis is down, changes still reach this instance's own
 * listeners, and SDKs of the other instances catch up by polling.
 */
export class RedisRegistryChangeBus implements RegistryChangeBus {
  private readonly local = new InProcessRegistryChangeBus();

  constructor(
    private readonly redis: RedisConnection,
    private readonly readState: () => Promise<RegistryChange>,
  ) {
    redis.subscribe(redis.keys.registryChannel(), (message) => this.hear(message));
    redis.onSubscriberReady(() => void this.catchUp());
  }

  async publish(change: RegistryChange): Promise<void> {
    await this.local.publish(change);
    const client = this.redis.client;
    if (client === undefined) return;
    const message = JSON.stringify({
      origin: this.redis.instanceId,
      version: change.version,
      hash: change.hash,
    });
    await client.publish(this.redis.keys.registryChannel(), message).catch(() => undefined);
  }

  subscribe(listener: (change: RegistryChange) => void): () => void {
    return this.local.subscribe(listener);
  }

  /** Open event streams and other listeners at this instance; for tests and metrics. */
  get listenerCount(): number {
    return this.local.listenerCount;
  }

  private hear(message: string): void {
    let parsed: ReturnType<typeof announcementSchema.safeParse>;
    try {
      parsed = announcementSchema.safeParse(JSON.parse(message));
    } catch {
      return;
    }
    if (!parsed.success || parsed.data.origin === this.redis.instanceId) return;
    void this.local.publish({ version: parsed.data.version, hash: parsed.data.hash });
  }

  private async catchUp(): Promise<void> {
    try {
      const state = await this.readState();
      if (state.version > 0) await this.local.publish({ version: state.version, hash: state.hash });
    } catch {
      // The database is unreachable too; the next reconnection, or SDK polling, catches up.
    }
  }
}
