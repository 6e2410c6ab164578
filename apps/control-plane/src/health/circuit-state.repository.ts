import { Inject, Injectable } from '@nestjs/common';
import { circuitStateSchema, type CircuitState } from '@switchboard/core';
import { z } from 'zod';
import { RedisConnection } from '../redis/redis-connection.ts';

/**
 * One circuit state as the fleet shares it: the state, the version Redis gave its write (rising per
 * model, so every instance applies transitions in the same order), and who wrote it.
 */
export interface SharedCircuitState {
  modelId: string;
  /** Rises by one with every write of this model's circuit; later wins. */
  version: number;
  /** The writer's `RedisConnection.instanceId`. */
  origin: string;
  /** The writer's own count of its transitions of this model, to recognise its echo. */
  originSequence: number;
  state: CircuitState;
}

/**
 * Writes a circuit, bumps its version, indexes the model and announces the change, atomically, so
 * that the version order is the publication order.
 *
 * KEYS[1] the model's circuit hash (`version`, `state`, `origin`, `originSequence`)
 * KEYS[2] the set of model ids with a shared circuit
 * ARGV[1] the state as JSON, ARGV[2] the origin, ARGV[3] the origin sequence, ARGV[4] the model id,
 * ARGV[5] the channel to publish on. Returns the new version.
 */
const writeCircuitScript = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'origin', ARGV[2], 'originSequence', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], cjson.encode({
  modelId = ARGV[4], version = version, origin = ARGV[2], originSequence = tonumber(ARGV[3]), state = ARGV[1]
}))
return version
`;

const announcementSchema = z.object({
  modelId: z.string(),
  version: z.number().int().positive(),
  origin: z.string(),
  originSequence: z.number().int().nonnegative(),
  state: z.string(),
});

/**
 * The fleet's circuit states in Redis: one hash per model under `keys.circuit(modelId)` (kept
 * without expiry: versions must never restart while instances remember higher ones), an index set,
 * and announcements on `keys.circuitChannel()`. Every call fails fast while Redis is down; the
 * caller keeps its local state meanwhile.
 */
@Injectable()
export class CircuitStateRepository {
  constructor(@Inject(RedisConnection) private readonly redis: RedisConnection) {}

  /** Whether `REDIS_URL` is set (several instances may share circuits). */
  get configured(): boolean {
    return this.redis.configured;
  }

  /** Whether the command connection is up right now. */
  get ready(): boolean {
    return this.redis.ready;
  }

  get instanceId(): string {
    return this.redis.instanceId;
  }

  /** Stores and announces a transition of this instance; resolves the version it got. */
  async write(modelId: string, state: CircuitState, originSequence: number): Promise<number> {
    const client = this.requireClient();
    const { keys } = this.redis;
    const version = await client.eval(
      writeCircuitScript,
      2,
      keys.circuit(modelId),
      keys.circuitModels(),
      JSON.stringify(state),
      this.redis.instanceId,
      String(originSequence),
      modelId,
      keys.circuitChannel(),
    );
    return Number(version);
  }

  /** Every stored circuit; an unreadable one (another version's format, corruption) is left out. */
  async readAll(): Promise<SharedCircuitState[]> {
    const client = this.requireClient();
    const modelIds = await client.smembers(this.redis.keys.circuitModels());
    if (modelIds.length === 0) return [];
    const pipeline = client.pipeline();
    for (const modelId of modelIds) pipeline.hgetall(this.redis.keys.circuit(modelId));
    const replies = (await pipeline.exec()) ?? [];
    const states: SharedCircuitState[] = [];
    modelIds.forEach((modelId, index) => {
      const [error, hash] = replies[index] ?? [null, undefined];
      if (error !== null || hash === undefined) return;
      const fields = hash as Record<string, string>;
      const parsed = parseShared({
        modelId,
        version: Number(fields.version),
        origin: fields.origin ?? '',
        originSequence: Number(fields.originSequence ?? 0),
        state: fields.state ?? '',
      });
      if (parsed !== undefined) states.push(parsed);
    });
    return states;
  }

  /** Calls `listener` with every announced transition, this instance's own included. */
  subscribe(listener: (shared: SharedCircuitState) => void): () => void {
    return this.redis.subscribe(this.redis.keys.circuitChannel(), (message) => {
      const parsed = parseAnnouncement(message);
      if (parsed !== undefined) listener(parsed);
    });
  }

  /** Calls `listener` whenever a connection to Redis comes (back): time to catch up. */
  onReconnect(listener: () => void): void {
    this.redis.onReady(listener);
    this.redis.onSubscriberReady(listener);
  }

  private requireClient() {
    const client = this.redis.client;
    if (client === undefined) throw new Error('Redis is not configured: set REDIS_URL.');
    return client;
  }
}

function parseAnnouncement(message: string): SharedCircuitState | undefined {
  try {
    const announcement = announcementSchema.safeParse(JSON.parse(message));
    return announcement.success ? parseShared(announcement.data) : undefined;
  } catch {
    return undefined;
  }
}

function parseShared(
  raw: Omit<SharedCircuitState, 'state'> & { state: string },
): SharedCircuitState | undefined {
  if (!Number.isInteger(raw.version) || raw.version < 1) return undefined;
  try {
    const state = circuitStateSchema.safeParse(JSON.parse(raw.state));
    return state.success ? { ...raw, state: state.data } : undefined;
  } catch {
    return undefined;
  }
}
