import Bull from 'bull';
import type { Redis } from 'ioredis';
import type { RedisConnection } from '../redis/redis-connection.ts';
import { withTimeout } from './with-timeout.ts';

/** The name of the one repeatable job: a whole probe round, every model. */
const roundJobName = 'probe-round';

/** How long shutdown waits for bull to close cleanly before its connections are cut. */
const closeTimeoutMs = 2_000;

/**
 * The fleet's probe schedule: a bull queue (name `keys.probeQueue()`, prefix `keys.prefix`) holding
 * ONE repeatable job every `intervalMs`. Bull gives each repetition a job id made of the repeat key
 * and its due time, and every instance adds the same repeat key, so however many instances run,
 * each interval has exactly one job, which exactly one instance's worker takes. Its processor probes
 * every enabled model, so each model is probed once per interval across the fleet.
 *
 * Bull's own three connections (command, subscriber, blocking) queue commands while Redis is down
 * and run them once it is back; the scheduler covers the gap with local rounds meanwhile. The
 * schedule is registered again at every reconnection, in case Redis came back empty.
 */
export class FleetProbeQueue {
  private readonly queue: Bull.Queue;
  private readonly clients: Redis[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    connection: RedisConnection,
    private readonly intervalMs: number,
    processRound: () => Promise<void>,
  ) {
    this.queue = new Bull(connection.keys.probeQueue(), {
      prefix: connection.keys.prefix,
      createClient: (type) => {
        // Bull waits for Redis rather than failing its commands; the subscriber and blocking
        // connections must not run the ready check or retry limit (bull refuses them otherwise).
        const client = connection.createClient({
          maxRetriesPerRequest: null,
          enableReadyCheck: type === 'client',
          enableOfflineQueue: true,
          connectionName: `switchboard-probes-${type}`,
        });
        this.clients.push(client);
        // A Redis that restarted empty has forgotten the schedule: register it on every connection.
        if (type === 'client') client.on('ready', () => void this.schedule());
        // Bull's typings are for ioredis 4; the client is the ioredis 5+ one it runs with.
        return client as unknown as ReturnType<NonNullable<Bull.QueueOptions['createClient']>>;
      },
      settings: { stalledInterval: Math.max(5_000, Math.min(30_000, intervalMs)) },
    });
    // Errors reach us through failed jobs and the local fallback; without a listener bull would throw.
    this.queue.on('error', () => undefined);
    this.queue.process(roundJobName, 1, () => processRound()).catch(() => undefined);
  }

  /**
   * Registers the repeatable job (idempotent across the fleet) and removes repetitions of another
   * interval left by an earlier configuration. Runs whenever bull's command connection becomes
   * ready; never rejects.
   */
  async schedule(): Promise<void> {
    try {
      for (const repeatable of await this.queue.getRepeatableJobs()) {
        if (repeatable.name === roundJobName && repeatable.every !== this.intervalMs) {
          await this.queue.removeRepeatableByKey(repeatable.key);
        }
      }
      await this.queue.add(
        roundJobName,
        {},
        {
          repeat: { every: this.intervalMs },
          jobId: roundJobName,
          // A few finished jobs are kept for an operator to inspect; ids never repeat (they hold the due time).
          removeOnComplete: 20,
          removeOnFail: 20,
        },
      );
    } catch {
      // Closed while waiting for Redis; nothing to schedule.
    }
  }

  /** Stops taking jobs (the round in flight is aborted by the scheduler) and closes the connections. */
  close(): Promise<void> {
    this.closing ??= withTimeout(this.queue.close(true), closeTimeoutMs, 'The probe queue')
      .catch(() => undefined)
      .finally(() => {
        for (const client of this.clients) client.disconnect();
      });
    return this.closing;
  }
}
