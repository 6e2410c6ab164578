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

/** Why a probe's signal aborted, so the outcome can say `timeout` rather than `aborted`. */
const probeTimedOut = Symbol('probe-timed-out');

/** What the scheduler is doing, for `/admin/health/models`. */
export interface ProbeSchedulerStatus {
  /** `in-process` while probing; `off` without a runner or targets, or with interval 0. */
  mode: 'in-process' | 'off';
  intervalMs: number;
  /** When the last round finished, ISO 8601; `null` before the first. */
  lastRoundAt: string | null;
}

/**
 * Active probes for a single instance: every `probeIntervalMs` (jittered), a tiny request to each
 * enabled model through the injected {@link ProbeRunner}, at most `probeConcurrency` at a time, each
 * cut off after `probeTimeoutMs`. Outcomes feed {@link ModelHealthService}. A model whose circuit is
 * open is skipped until its cooldown ends; then the probe is the half-open trial that can close it.
 *
 * Timers are unref'd (they never keep the process alive) and stopped on shutdown, which also aborts
 * probes in flight. With REDIS_URL, the multi-instance issue replaces this with bull repeatable jobs
 * so that each interval's probes run once across the fleet.
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

  constructor(
    @Inject(ModelHealthService) private readonly health: ModelHealthService,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  /** Finds the runner and the targets wherever they were provided, and starts probing if both exist. */
  onApplicationBootstrap(): void {
    this.runner = this.optional<ProbeRunner>(PROBE_RUNNER);
    this.targets = this.optional<ProbeTargetSource>(PROBE_TARGETS);
    if (this.status().mode === 'off') {
      this.#logger.log('Active model probes are off (no probe runner, no targets, or interval 0).');
      return;
    }
    // The first round comes soon after start (within one jitter span), so health has data early.
    this.schedule(this.options.probeIntervalMs * this.options.probeJitterRatio * this.options.random());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const controller of this.inFlight) controller.abort();
    await this.round;
  }

  /** Where the model list comes from, for reports; `undefined` when none was provided. */
  targetSource(): ProbeTargetSource | undefined {
    return this.targets;
  }

  status(): ProbeSchedulerStatus {
    const on = this.runner !== undefined && this.targets !== undefined && this.options.probeIntervalMs > 0;
    return {
      mode: on ? 'in-process' : 'off',
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
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runScheduledRound().finally(() => {
        this.round = undefined;
        this.schedule(this.jitteredInterval());
      });
    }, delayMs);
    this.timer.unref();
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
      this.health.recordOutcome(target.modelId, {
        ...result,
        latencyMs: this.clock.now() - startedAt,
        source: 'probe',
      });
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
