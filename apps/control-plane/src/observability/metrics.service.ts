import { Injectable } from '@nestjs/common';
import type { CircuitStatus } from '@switchboard/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BoundedLabel } from './bounded-label.ts';

/**
 * Bucket boundaries the OpenTelemetry GenAI semantic conventions recommend for
 * `gen_ai.client.operation.duration`, in seconds, so dashboards built for OTel exporters read ours.
 */
const operationDurationBuckets = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** The GenAI conventions' recommended buckets for `gen_ai.client.token.usage`, in tokens. */
const tokenUsageBuckets = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

/** Request latency buckets for our own HTTP API, in seconds. */
const httpDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The gauge's encoding of a circuit status: higher means less traffic gets through. */
const circuitStateValue: Readonly<Record<CircuitStatus, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** Every model's circuit status now, for the circuit-state gauge. */
export type CircuitStateSource = () => Iterable<readonly [modelId: string, status: CircuitStatus]>;

/** One request our HTTP API answered. */
export interface HttpRequestRecord {
  /**
   * The matched route template (`/admin/api-keys/:id/revoke`), never the raw path: raw paths carry
   * ids and would give every request its own series.
   */
  route: string;
  method: string;
  status: number;
  durationSeconds: number;
}

/** How one attempt on one model ended, as the engine's telemetry reports it. */
export type AttemptOutcomeLabel = 'succeeded' | 'failed' | 'cancelled';

/** One attempt the engine made (gateway traffic, SDK telemetry or an active probe). */
export interface AttemptRecord {
  /** Registry model id. */
  modelId: string;
  outcome: AttemptOutcomeLabel;
  /** The classified failure (`rate_limited`, `timeout`, ...) for failed attempts; else `null`. */
  errorKind: string | null;
  /**
   * What the attempt cost in integer micro-dollars, when known; billed hedges that lost count too.
   * `null` (no price or no usage) adds nothing: unknown is not zero, the ledger says which.
   */
  costMicros: number | null;
}

/**
 * One GenAI client operation (one request answered, or failed, through the gateway), named after
 * the OpenTelemetry GenAI semantic conventions' attributes.
 */
export interface CompletionRecord {
  /** `gen_ai.operation.name`: `chat` for chat completions. */
  operationName: string;
  /** `gen_ai.provider.name`: the provider of the model that answered (`openai`, `anthropic`, `sim`). */
  providerName: string;
  /**
   * `gen_ai.request.model`: the model the caller asked for, as resolved by the gateway (a registry
   * id, `switchboard/auto` or a policy name). Never pass an unvalidated client string.
   */
  requestModel: string;
  /** `gen_ai.response.model`: the registry id of the model that actually answered; `null` if none did. */
  responseModel: string | null;
  /** From the request's start to its end. */
  durationSeconds: number;
  /** `error.type`: the error kind when the operation failed; `null` when it succeeded. */
  errorType: string | null;
  /** Prompt tokens as the provider reported them; `null` when it did not say. */
  inputTokens: number | null;
  /** Completion tokens as the provider reported them; `null` when it did not say. */
  outputTokens: number | null;
}

/**
 * Every Prometheus metric the control plane exposes, in its own registry (so tests and several
 * apps in one process never share counters). The gateway, the health service and telemetry ingest
 * call the `record*` methods; `/metrics` renders {@link MetricsService.render}.
 *
 * Labels carry ids and classifications only: never message content, never player or session ids.
 * Values that a client can influence go through a {@link BoundedLabel}, which caps how many distinct
 * series one label can create.
 */
@Injectable()
export class MetricsService {
  /** The registry `/metrics` renders; exposed for tests and for hosts that merge registries. */
  readonly registry = new Registry();

  private readonly models = new BoundedLabel();
  private readonly requestModels = new BoundedLabel();
  private readonly providers = new BoundedLabel();
  private readonly routes = new BoundedLabel();

  private readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by matched route template, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by matched route template and method.',
    labelNames: ['route', 'method'] as const,
    buckets: httpDurationBuckets,
    registers: [this.registry],
  });

  private readonly operationDuration = new Histogram({
    name: 'switchboard_gen_ai_client_operation_duration_seconds',
    help: 'GenAI operation duration (OpenTelemetry gen_ai.client.operation.duration).',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_response_model',
      'error_type',
    ] as const,
    buckets: operationDurationBuckets,
    registers: [this.registry],
  });

  private readonly tokenUsage = new Histogram({
    name: 'switchboard_gen_ai_client_token_usage',
    help: 'Tokens used per GenAI operation (OpenTelemetry gen_ai.client.token.usage), by token type.',
    labelNames: [
      'gen_ai_operation_name',
      'gen_ai_provider_name',
      'gen_ai_request_model',
      'gen_ai_response_model',
      'gen_ai_token_type',
    ] as const,
    buckets: tokenUsageBuckets,
    registers: [this.registry],
  });

  private readonly attempts = new Counter({
    name: 'switchboard_attempts_total',
    help: 'Attempts on a model, by outcome (succeeded, failed, cancelled) and error kind for failures.',
    labelNames: ['model', 'outcome', 'error_kind'] as const,
    registers: [this.registry],
  });

  private readonly costMicros = new Counter({
    name: 'switchboard_cost_micros_total',
    help: 'Cost of attempts in micro-dollars (1e-6 USD), by model; attempts of unknown cost are not counted.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  private circuitSource: CircuitStateSource = () => [];

  private readonly probes = new Counter({
    name: 'switchboard_probes_total',
    help: 'Active health probes sent to a model, by outcome (success, or the error kind).',
    labelNames: ['model', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly circuitState: Gauge<'model'> = new Gauge({
    name: 'switchboard_circuit_state',
    help: 'Circuit breaker state per model: 0 closed, 1 half-open, 2 open.',
    labelNames: ['model'] as const,
    registers: [this.registry],
    collect: () => this.collectCircuitStates(),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one answered HTTP request; called by the HTTP metrics middleware. */
  recordHttpRequest(record: HttpRequestRecord): void {
    const route = this.routes.of(record.route);
    const method = record.method.toUpperCase();
    this.httpRequests.inc({ route, method, status: String(record.status) });
    this.httpDuration.observe({ route, method }, nonNegative(record.durationSeconds));
  }

  /** Counts one attempt and adds its cost; called once per attempt, hedges and probes included. */
  recordAttempt(record: AttemptRecord): void {
    const model = this.models.of(record.modelId);
    const errorKind = record.outcome === 'failed' ? (record.errorKind ?? 'unknown') : '';
    this.attempts.inc({ model, outcome: record.outcome, error_kind: errorKind });
    if (record.costMicros !== null && Number.isFinite(record.costMicros) && record.costMicros > 0) {
      this.costMicros.inc({ model }, Math.round(record.costMicros));
    }
  }

  /** Records one GenAI operation's duration and token usage; called once per gateway request. */
  recordCompletion(record: CompletionRecord): void {
    const labels = {
      gen_ai_operation_name: record.operationName,
      gen_ai_provider_name: this.providers.of(record.providerName),
      gen_ai_request_model: this.requestModels.of(record.requestModel),
      gen_ai_response_model: record.responseModel === null ? '' : this.models.of(record.responseModel),
    };
    this.operationDuration.observe(
      { ...labels, error_type: record.errorType ?? '' },
      nonNegative(record.durationSeconds),
    );
    if (record.inputTokens !== null) {
      this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'input' }, nonNegative(record.inputTokens));
    }
    if (record.outputTokens !== null) {
      this.tokenUsage.observe({ ...labels, gen_ai_token_type: 'output' }, nonNegative(record.outputTokens));
    }
  }

  /** Counts one active probe; `outcome` is `success` or the error kind. */
  recordProbe(modelId: string, outcome: string): void {
    this.probes.inc({ model: this.models.of(modelId), outcome });
  }

  /**
   * Where `switchboard_circuit_state` reads each model's circuit from, at every scrape. Read at
   * scrape time rather than pushed on change, because an open circuit turns half-open by the clock
   * alone, with no event to push it.
   */
  setCircuitStateSource(source: CircuitStateSource): void {
    this.circuitSource = source;
  }

  private collectCircuitStates(): void {
    this.circuitState.reset();
    for (const [modelId, status] of this.circuitSource()) {
      this.circuitState.set({ model: this.models.of(modelId) }, circuitStateValue[status]);
    }
  }

  /** The registry in Prometheus' text exposition format, for `/metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type {@link MetricsService.render}'s text must be served with. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
