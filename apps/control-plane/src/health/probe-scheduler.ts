import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isProviderError } from '@switchboard/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { RedisConnection } from '../redis/redis-connection.ts';
import { FleetProbeQueue } from './fleet-probe-queue.ts';
import { HEALTH_OPTIONS, type HealthOptions } from './health-options.ts';
import { ModelHealthService } from './model-health.service.ts';
import {
  PROBE_RUNNER,
  PROBE_TARGETS,
  type ProbeResult,
  type ProbeRunner,
  type ProbeTarget,
  type ProbeTargetSource,
} from './probe-runner.ts';
import { ProbeResultsRepository, type ProbeAnnouncement } from './probe-results.repository.ts';

/** Why a probe's signal aborted, so the outcome can say `timeout` rather than `aborted`. */
const probeTimedOut = Symbol('probe-timed-out');

/** What the scheduler is doing, for `/admin/health/models`. */
export interface ProbeSchedulerStatus {
  /**
   * `fleet` with Redis (a bull repeatable job: one round per interval across the fleet; local rounds
   * while Redis is unreachable), `in-process` without; `off` without a runner or targets, or with
   * interval 0.
   */
  mode: 'fleet' | 'in-process' | 'off';
  intervalMs: number;
  /** When the last round finished (at any instance, in fleet mode), ISO 8601; `null` before the first. */
  lastRoundAt: string | null;
}

/**
 * Active probes for a single instance: every `probeIntervalMs` (jittered), a tiny request to each
 * enabled model through the injected {@link ProbeRunner}, at most `probeConcurrency` at a time, each
 * cut off after `probeTimeoutMs`. Outcomes feed {@link ModelHealthService}. A model whose circuit is
 * open is skipped until its cooldown ends; then the probe is the half-open trial that can close it.
 *
 * Timers are unref'd (they never keep the process alive) and stopped on shutdown, which also aborts
 * probes in flight.
 *
 * With REDIS_URL the rounds come from a {@link FleetProbeQueue} instead (one bull repeatable job,
 * so each interval's round runs at one instance of the fleet), and every result is announced so
 * that each instance's health shows it. The local timer keeps ticking as the fallback: a tick runs
 * a local round only once Redis has been unreachable for a whole interval (bull cannot run jobs
 * then), and the fleet schedule takes over again when Redis is back.
 */
@Injectable()
export class ProbeScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #logger = new Logger('ProbeScheduler');
  private runner: ProbeRunner | undefined;
  private targets: ProbeTargetSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;
  private lastRoundAt: number | null = null;
  private fleet: FleetProbeQueue | undefined;
  private stopAnnouncements: (() => void) | undefined;
  private startedAt = 0;
  private redisSeenAt: number | null = null;

  constructor(
    @Inject(ModelHealthService) private readonly health: ModelHealthService,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(RedisConnection) private readonly redis: RedisConnection,
    @Inject(ProbeResultsRepository) private readonly results: ProbeResultsRepository,
  ) {}

  /** Finds the runner and the targets wherever they were provided, and starts probing if both exist. */
  onApplicationBootstrap(): void {
    this.runner = this.optional<ProbeRunner>(PROBE_RUNNER);
    this.targets = this.optional<ProbeTargetSource>(PROBE_TARGETS);
    if (this.status().mode === 'off') {
      this.#logger.log('Active model probes are off (no probe runner, no targets, or interval 0).');
      return;
    }
    this.startedAt = this.clock.now();
    if (this.redis.configured) {
      this.stopAnnouncements = this.results.subscribe((announcement) => this.hear(announcement));
      // The queue registers its repeatable job as soon as it connects.
      this.fleet = new FleetProbeQueue(this.redis, this.options.probeIntervalMs, () => this.runFleetRound());
      this.schedule(this.options.probeIntervalMs);
      return;
    }
    // The first round comes soon after start (within one jitter span), so health has data early.
    this.schedule(this.options.probeIntervalMs * this.options.probeJitterRatio * this.options.random());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopAnnouncements?.();
    for (const controller of this.inFlight) controller.abort();
    await Promise.all([this.round, this.fleet?.close()]);
  }

  /** Where the model list comes from, for reports; `undefined` when none was provided. */
  targetSource(): ProbeTargetSource | undefined {
    return this.targets;
  }

  status(): ProbeSchedulerStatus {
    const on = this.runner !== undefined && this.targets !== undefined && this.options.probeIntervalMs > 0;
    return {
      mode: on ? (this.redis.configured ? 'fleet' : 'in-process') : 'off',
      intervalMs: this.options.probeIntervalMs,
      lastRoundAt: this.lastRoundAt === null ? null : new Date(this.lastRoundAt).toISOString(),
    };
  }

  /**
   * One round: probes every target (skipping open circuits), `probeConcurrency` at a time. Public
   * so that tests (and an operator's "probe now", later) can run one without waiting.
   */
  async runRound(runner: ProbeRunner, targets: readonly ProbeTarget[]): Promise<void> {
    const queue = [...targets];
    const worker = async (): Promise<void> => {
      for (let target = queue.shift(); target !== undefined && !this.stopped; target = queue.shift()) {
        await this.probe(runner, target);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.probeConcurrency) }, worker));
    this.lastRoundAt = this.clock.now();
    this.announce({ kind: 'round', at: this.lastRoundAt });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runTimedRound().finally(() => {
        this.round = undefined;
        this.schedule(this.jitteredInterval());
      });
    }, delayMs);
    this.timer.unref();
  }

  /** A tick of the local timer: a round, unless the fleet schedule can run it (Redis answered lately). */
  private async runTimedRound(): Promise<void> {
    if (this.fleet !== undefined) {
      const now = this.clock.now();
      if (this.redis.ready) {
        this.redisSeenAt = now;
        return;
      }
      if (now - (this.redisSeenAt ?? this.startedAt) < this.options.probeIntervalMs) return;
    }
    await this.runScheduledRound();
  }

  /** The bull job's processor; a failure fails the job (and is logged by the round itself). */
  private async runFleetRound(): Promise<void> {
    if (this.stopped) return;
    this.redisSeenAt = this.clock.now();
    await this.runScheduledRound();
  }

  /** Another instance's probe or round: the statistics and last probe (its circuit comes through `SharedCircuits`). */
  private hear(announcement: ProbeAnnouncement): void {
    if (announcement.kind === 'round') {
      this.lastRoundAt = Math.max(this.lastRoundAt ?? 0, announcement.at);
      return;
    }
    this.health.recordOutcome(announcement.modelId, {
      ...announcement.result,
      latencyMs: announcement.latencyMs,
      source: 'probe',
      circuitReported: true,
    });
  }

  private announce(announcement: ProbeAnnouncement): void {
    if (this.fleet === undefined) return;
    this.results.publish(announcement).catch(() => undefined);
  }

  private async runScheduledRound(): Promise<void> {
    const runner = this.runner;
    const targets = this.targets;
    if (runner === undefined || targets === undefined) return;
    try {
      await this.runRound(runner, await targets.listTargets());
    } catch (error) {
      this.#logger.warn(
        `A probe round failed before it could probe: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async probe(runner: ProbeRunner, target: ProbeTarget): Promise<void> {
    if (!this.health.admit(target.modelId, this.clock.now()).admitted) return;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(probeTimedOut), this.options.probeTimeoutMs);
    timer.unref();
    const startedAt = this.clock.now();
    try {
      const result = await Promise.race([
        settle(runner(target, controller.signal)),
        abortOutcome(controller.signal),
      ]);
      const latencyMs = this.clock.now() - startedAt;
      this.health.recordOutcome(target.modelId, { ...result, latencyMs, source: 'probe' });
      this.announce({ kind: 'probe', modelId: target.modelId, result, latencyMs });
      this.metrics.recordProbe(target.modelId, result.ok ? 'success' : result.kind);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private jitteredInterval(): number {
    const spread = this.options.probeJitterRatio * (2 * this.options.random() - 1);
    return Math.max(0, this.options.probeIntervalMs * (1 + spread));
  }

  private optional<Value>(token: symbol): Value | undefined {
    try {
      return this.moduleRef.get<Value>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/** A runner's outcome, with a thrown error turned into a failure of its kind. */
async function settle(probe: Promise<ProbeResult>): Promise<ProbeResult> {
  try {
    return await probe;
  } catch (error) {
    if (isProviderError(error)) return { ok: false, kind: error.kind, retryAfterMs: error.retryAfterMs };
    return { ok: false, kind: 'server' };
  }
}

/** Settles when `signal` aborts: a `timeout` failure after the probe's deadline, else `aborted` (shutdown). */
function abortOutcome(signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => resolve({ ok: false, kind: signal.reason === probeTimedOut ? 'timeout' : 'aborted' }),
      { once: true },
    );
  });
}
