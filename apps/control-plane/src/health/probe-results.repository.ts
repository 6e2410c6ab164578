import { Inject, Injectable } from '@nestjs/common';
import type { ProviderErrorKind } from '@switchboard/core';
import { z } from 'zod';
import { RedisConnection } from '../redis/redis-connection.ts';
import type { ProbeResult } from './probe-runner.ts';

/** What one instance tells the others about active probes, which only one instance runs per interval. */
export type ProbeAnnouncement =
  | {
      kind: 'probe';
      modelId: string;
      result: ProbeResult;
      latencyMs: number;
    }
  | {
      kind: 'round';
      /** When the round finished, milliseconds of the prober's clock. */
      at: number;
    };

const announcementSchema = z.object({
  origin: z.string(),
  announcement: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('probe'),
      modelId: z.string(),
      latencyMs: z.number().nonnegative(),
      result: z.union([
        z.object({ ok: z.literal(true) }),
        z.object({
          ok: z.literal(false),
          kind: z.string().transform((kind) => kind as ProviderErrorKind),
          retryAfterMs: z.number().nonnegative().optional(),
        }),
      ]),
    }),
    z.object({ kind: z.literal('round'), at: z.number() }),
  ]),
});

/**
 * Carries probe results between instances on `keys.probeResultChannel()`, so that the model
 * health of every instance shows the last probe and its latency, wherever the probe ran. Fire and
 * forget: a result lost while Redis is down is replaced by the next interval's.
 */
@Injectable()
export class ProbeResultsRepository {
  constructor(@Inject(RedisConnection) private readonly redis: RedisConnection) {}

  get configured(): boolean {
    return this.redis.configured;
  }

  /** Announces a result of this instance; rejects while Redis is unreachable. */
  async publish(announcement: ProbeAnnouncement): Promise<void> {
    const client = this.redis.client;
    if (client === undefined) return;
    const message = JSON.stringify({ origin: this.redis.instanceId, announcement });
    await client.publish(this.redis.keys.probeResultChannel(), message);
  }

  /** Calls `listener` with the announcements of the other instances (never this one's own). */
  subscribe(listener: (announcement: ProbeAnnouncement) => void): () => void {
    return this.redis.subscribe(this.redis.keys.probeResultChannel(), (message) => {
      let parsed: ReturnType<typeof announcementSchema.safeParse>;
      try {
        parsed = announcementSchema.safeParse(JSON.parse(message));
      } catch {
        return;
      }
      if (!parsed.success || parsed.data.origin === this.redis.instanceId) return;
      listener(parsed.data.announcement as ProbeAnnouncement);
    });
  }
}
