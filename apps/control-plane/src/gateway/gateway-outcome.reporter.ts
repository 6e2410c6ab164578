import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { TherapeuticContext } from '@switchboard/core';
import type { AttemptRecord, ExecutionError, ExecutionResult } from '@switchboard/sdk';
import { CIRCUIT_BREAKERS, type CircuitBreakers } from '../decisions/circuit-breakers.ts';
import { MetricsService } from '../observability/metrics.service.ts';

/** How one gateway request ended, for whoever learns from traffic. Never holds message content. */
export interface GatewayOutcome {
  /** The id the response carried in `x-switchboard-decision-id`. */
  decisionId: string;
  /** What the caller asked for, canonical (`switchboard/auto`, `switchboard/<policy>`, a model id). */
  requestModel: string;
  context: TherapeuticContext;
  stream: boolean;
  /** The API key that sent the request, when one did. */
  apiKeyId: string | undefined;
  /** Epoch milliseconds on the control plane's clock. */
  startedAt: number;
  endedAt: number;
  /** The execution's result, when an answer (or the safe message) was produced. */
  result: ExecutionResult | undefined;
  /** Why no answer was produced (including the caller cancelling). */
  error: ExecutionError | undefined;
}

/**
 * Receives every gateway outcome. The cost module (telemetry ledger, budgets) provides one under
 * {@link GATEWAY_OUTCOME_LISTENER} in a later issue; it is called after health and metrics, and a
 * failure in it is logged, never passed to the caller.
 */
export interface GatewayOutcomeListener {
  onGatewayOutcome(outcome: GatewayOutcome): void | Promise<void>;
}

/** Injection token of the optional {@link GatewayOutcomeListener}; found anywhere in the module graph. */
export const GATEWAY_OUTCOME_LISTENER = Symbol.for('switchboard.control-plane.gateway-outcome-listener');

/**
 * Passes each gateway outcome on: every attempt to the model's health (passive health: error rate
 * and latency; the circuit itself already moved, since the breakers are the engine's) and to the
 * metrics, the request as one GenAI operation to the metrics, and the whole outcome to the
 * listener. Health and metrics are optional, so the gateway also runs without those modules.
 */
@Injectable()
export class GatewayOutcomeReporter implements OnModuleInit {
  readonly #logger = new Logger('Gateway');
  private listener: GatewayOutcomeListener | undefined;

  constructor(
    @Inject(CIRCUIT_BREAKERS) private readonly breakers: CircuitBreakers,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Optional() @Inject(MetricsService) private readonly metrics: MetricsService | undefined,
  ) {}

  onModuleInit(): void {
    try {
      this.listener = this.moduleRef.get<GatewayOutcomeListener>(GATEWAY_OUTCOME_LISTENER, { strict: false });
    } catch {
      this.listener = undefined;
    }
  }

  report(outcome: GatewayOutcome): void {
    const attempts = outcome.result?.attempts ?? outcome.error?.attempts ?? [];
    try {
      for (const attempt of attempts) this.reportAttempt(attempt);
      this.reportCompletion(outcome, attempts);
    } catch (error) {
      this.#logger.warn(
        `Could not record a gateway outcome: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const listener = this.listener;
    if (listener === undefined) return;
    try {
      const pending = listener.onGatewayOutcome(outcome);
      if (pending !== undefined) pending.catch((error: unknown) => this.listenerFailed(error));
    } catch (error) {
      this.listenerFailed(error);
    }
  }

  private reportAttempt(attempt: AttemptRecord): void {
    const outcome = attempt.outcome;
    const costMicros = attempt.cost?.status === 'known' ? attempt.cost.micros : null;
    const latencyMs = attempt.endedAt - attempt.startedAt;
    const health = this.breakers.health;
    if (outcome === 'hedge-lost' || outcome === 'aborted') {
      this.metrics?.recordAttempt({
        modelId: attempt.modelId,
        outcome: 'cancelled',
        errorKind: null,
        costMicros,
      });
      return;
    }
    if (outcome === 'ok') {
      this.metrics?.recordAttempt({
        modelId: attempt.modelId,
        outcome: 'succeeded',
        errorKind: null,
        costMicros,
      });
      health?.recordOutcome(attempt.modelId, {
        ok: true,
        latencyMs,
        source: 'traffic',
        circuitReported: true,
      });
      return;
    }
    this.metrics?.recordAttempt({
      modelId: attempt.modelId,
      outcome: 'failed',
      errorKind: outcome,
      costMicros,
    });
    health?.recordOutcome(attempt.modelId, {
      ok: false,
      kind: outcome,
      retryAfterMs: attempt.error?.retryAfterMs,
      latencyMs,
      source: 'traffic',
      circuitReported: true,
    });
  }

  private reportCompletion(outcome: GatewayOutcome, attempts: readonly AttemptRecord[]): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    const answeredBy = outcome.result?.answeredBy;
    const answering = attempts.findLast(
      (attempt) => attempt.modelId === answeredBy && attempt.outcome === 'ok',
    );
    const usage = outcome.result?.usage;
    metrics.recordCompletion({
      operationName: 'chat',
      providerName: answering?.provider ?? (outcome.result?.fallback !== undefined ? 'switchboard' : 'none'),
      requestModel: outcome.requestModel,
      responseModel: answeredBy ?? null,
      durationSeconds: (outcome.endedAt - outcome.startedAt) / 1000,
      errorType: outcome.error?.kind ?? null,
      inputTokens: usage?.inputTokens.total ?? null,
      outputTokens: usage?.outputTokens.total ?? null,
    });
  }

  private listenerFailed(error: unknown): void {
    this.#logger.warn(
      `The gateway outcome listener failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
