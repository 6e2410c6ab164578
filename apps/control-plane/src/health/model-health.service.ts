import { Inject, Injectable } from '@nestjs/common';
import {
  admitAttempt,
  circuitStatusAt,
  closedCircuitState,
  isHealthFailureKind,
  transition,
  type CircuitAdmission,
  type CircuitEvent,
  type CircuitOpenReason,
  type CircuitState,
  type CircuitStatus,
  type HealthView,
  type ProviderErrorKind,
} from '@switchboard/core';
import type { CircuitRegistry } from '@switchboard/sdk';
import { CLOCK, type Clock } from '../config/clock.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { isCircuitTransition, type CircuitTransitionListener } from './circuit-change.ts';
import { HEALTH_OPTIONS, type HealthOptions } from './health-options.ts';
import { OutcomeWindow, type LatencyQuantiles } from './outcome-window.ts';

/** Who observed an outcome. */
export type OutcomeSource =
  /** An attempt of gateway traffic. */
  | 'traffic'
  /** An attempt a direct-mode SDK reported in its telemetry. */
  | 'telemetry'
  /** An active probe of the scheduler. */
  | 'probe';

/** Fields every reported outcome may carry. */
interface OutcomeBase {
  /** How long the attempt took; feeds the latency quantiles (successes only). */
  latencyMs?: number | null | undefined;
  /** Default `traffic`. */
  source?: OutcomeSource | undefined;
  /**
   * True when the circuit already heard of this attempt through {@link ModelHealthService.report}
   * (this service was the engine's `circuits`): the outcome then feeds the statistics only, so the
   * circuit does not count it twice.
   */
  circuitReported?: boolean | undefined;
}

/** How one attempt on a model ended, as a passive observer reports it. */
export type ModelOutcome =
  | (OutcomeBase & { ok: true })
  | (OutcomeBase & {
      ok: false;
      kind: ProviderErrorKind;
      /** The provider's Retry-After in milliseconds, when it sent one. */
      retryAfterMs?: number | undefined;
    });

/** The last active probe of a model. */
export interface LastProbe {
  /** ISO 8601. */
  at: string;
  /** `success`, or the failure's kind. */
  outcome: 'success' | ProviderErrorKind;
  latencyMs: number | null;
}

/** One model's health as `/admin/health/models` shows it. */
export interface ModelHealthReport {
  modelId: string;
  /** From the registry; `null` for a model only traffic has mentioned. */
  provider: string | null;
  circuit: {
    /** As selection sees it now: an open circuit past its cooldown reads `half-open`. */
    status: CircuitStatus;
    openReason: CircuitOpenReason | null;
    /** ISO 8601, or `null` while closed. */
    openedAt: string | null;
    /** Until when attempts are refused; ISO 8601, or `null` while closed. */
    openUntil: string | null;
    consecutiveFailures: number;
    /** Openings in a row without a successful probe; the cooldown grows with it. */
    openCount: number;
  };
  lastProbe: LastProbe | null;
  /** Health failures / attempts over the window; `null` without attempts. */
  errorRate: number | null;
  window: { seconds: number; attempts: number; failures: number };
  /** Latency of successful attempts over the window; `null` without any. */
  latencyMs: LatencyQuantiles | null;
}

interface ModelRecord {
  circuit: CircuitState;
  outcomes: OutcomeWindow;
  lastProbe: LastProbe | null;
}

/**
 * Per-model health for this instance: each model's circuit breaker (core's pure `transition` and
 * `admitAttempt`, with the thresholds of `HealthOptions.circuitConfig`), its last active probe, and
 * its recent error rate and latency quantiles.
 *
 * Fed two ways: passive outcomes ({@link recordOutcome}: gateway traffic, SDK telemetry) and active
 * probes (the scheduler). It also is the SDK engine's {@link CircuitRegistry}: pass it as
 * `execute(..., { circuits: modelHealth })` so gateway traffic and probes share one breaker per model,
 * and then report attempt outcomes with `circuitReported: true`.
 *
 * State lives in memory. With Redis, `SharedCircuits` publishes each local transition (see
 * {@link onCircuitTransition}) and applies the fleet's through {@link applySharedCircuit}, so every
 * instance's view follows the same circuits; counts and statistics stay per instance.
 */
@Injectable()
export class ModelHealthService implements CircuitRegistry {
  private readonly records = new Map<string, ModelRecord>();
  private readonly transitionListeners = new Set<CircuitTransitionListener>();

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    metrics.setCircuitStateSource(() => this.circuitStatuses());
  }

  /** The engine's admission check: may an attempt on `modelId` go at `now` (claims a half-open probe slot). */
  admit(modelId: string, now: number): CircuitAdmission {
    const record = this.records.get(modelId);
    const admission = admitAttempt(record?.circuit ?? closedCircuitState(), now, this.options.circuitConfig);
    if (record !== undefined) this.setCircuit(modelId, record, admission.state);
    else if (admission.state.status !== 'closed') {
      this.setCircuit(modelId, this.recordOf(modelId), admission.state);
    }
    return admission;
  }

  /** The engine's outcome report: changes the circuit only (statistics come from {@link recordOutcome}). */
  report(modelId: string, event: CircuitEvent, now: number): void {
    const record = this.recordOf(modelId);
    this.setCircuit(modelId, record, transition(record.circuit, event, now, this.options.circuitConfig));
  }

  /** A model's circuit status at `at`, claiming nothing. */
  statusOf(modelId: string, at: number): CircuitStatus {
    const record = this.records.get(modelId);
    return record === undefined ? 'closed' : circuitStatusAt(record.circuit, at);
  }

  /** What selection should see now: a model never observed reads as closed. */
  healthView(now: number = this.clock.now()): HealthView {
    return { circuitOf: (modelId) => this.statusOf(modelId, now) };
  }

  /**
   * A passive (or probe) outcome of one attempt on `modelId`: updates its statistics and, unless
   * `circuitReported`, its circuit. Failures that say nothing about the model (a bad request, a
   * refused prompt, a bad key, an abort) leave the statistics alone, as they leave the circuit.
   */
  recordOutcome(modelId: string, outcome: ModelOutcome): void {
    const now = this.clock.now();
    const record = this.recordOf(modelId);
    const latencyMs = outcome.latencyMs ?? null;
    if (outcome.source === 'probe') {
      record.lastProbe = {
        at: new Date(now).toISOString(),
        outcome: outcome.ok ? 'success' : outcome.kind,
        latencyMs,
      };
    }
    if (outcome.circuitReported !== true) {
      const event: CircuitEvent = outcome.ok
        ? { type: 'success' }
        : { type: 'failure', kind: outcome.kind, retryAfterMs: outcome.retryAfterMs };
      this.setCircuit(modelId, record, transition(record.circuit, event, now, this.options.circuitConfig));
    }
    if (outcome.ok || isHealthFailureKind(outcome.kind)) {
      record.outcomes.add({ at: now, ok: outcome.ok, latencyMs });
    }
  }

  /** An operator's reset: the circuit closes with no history (statistics are kept). */
  reset(modelId: string): void {
    this.setCircuit(modelId, this.recordOf(modelId), closedCircuitState());
  }

  /** Calls `listener` after every transition of a circuit at this instance; returns the function that stops it. */
  onCircuitTransition(listener: CircuitTransitionListener): () => void {
    this.transitionListeners.add(listener);
    return () => {
      this.transitionListeners.delete(listener);
    };
  }

  /** Adopts a circuit state another instance published; tells no transition listener (it is not news). */
  applySharedCircuit(modelId: string, state: CircuitState): void {
    this.recordOf(modelId).circuit = state;
  }

  /** A model's circuit as this instance holds it (closed with no history when never observed). */
  circuitOf(modelId: string): CircuitState {
    return this.records.get(modelId)?.circuit ?? closedCircuitState();
  }

  /** Every model this instance has observed. */
  observedModels(): string[] {
    return [...this.records.keys()];
  }

  /** The health of `modelId` now; a model never observed reads as closed with no data. */
  describe(modelId: string, provider: string | null): ModelHealthReport {
    const now = this.clock.now();
    const record = this.records.get(modelId);
    const circuit = record?.circuit ?? closedCircuitState();
    const summary = record?.outcomes.summary(now) ?? {
      attempts: 0,
      failures: 0,
      errorRate: null,
      latencyMs: null,
    };
    return {
      modelId,
      provider,
      circuit: {
        status: circuitStatusAt(circuit, now),
        openReason: circuit.openReason,
        openedAt: isoOrNull(circuit.openedAt),
        openUntil: isoOrNull(circuit.openUntil),
        consecutiveFailures: circuit.consecutiveFailures,
        openCount: circuit.openCount,
      },
      lastProbe: record?.lastProbe ?? null,
      errorRate: summary.errorRate,
      window: {
        seconds: Math.round(this.options.outcomeWindowMs / 1000),
        attempts: summary.attempts,
        failures: summary.failures,
      },
      latencyMs: summary.latencyMs,
    };
  }

  private *circuitStatuses(): Iterable<readonly [string, CircuitStatus]> {
    const now = this.clock.now();
    for (const [modelId, record] of this.records) yield [modelId, circuitStatusAt(record.circuit, now)];
  }

  private setCircuit(modelId: string, record: ModelRecord, next: CircuitState): void {
    const before = record.circuit;
    record.circuit = next;
    if (this.transitionListeners.size === 0 || !isCircuitTransition(before, next)) return;
    for (const listener of [...this.transitionListeners]) listener(modelId, next);
  }

  private recordOf(modelId: string): ModelRecord {
    let record = this.records.get(modelId);
    if (record === undefined) {
      record = {
        circuit: closedCircuitState(),
        outcomes: new OutcomeWindow(this.options.outcomeWindowSize, this.options.outcomeWindowMs),
        lastProbe: null,
      };
      this.records.set(modelId, record);
    }
    return record;
  }
}

function isoOrNull(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}
