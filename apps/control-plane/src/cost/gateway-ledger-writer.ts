import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Counter } from 'prom-client';
import type { GatewayOutcome, GatewayOutcomeListener } from '../gateway/gateway-outcome.reporter.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { telemetryEventOfGatewayOutcome } from './gateway-telemetry.ts';
import type { SourcedEvent } from './ledger-rows.ts';
import { LedgerService } from './ledger.service.ts';

/** How the gateway's ledger buffer behaves; tests shorten the interval. */
export interface GatewayLedgerBufferOptions {
  /** Events per ledger write. */
  batchSize: number;
  /** Most events held; beyond it the oldest are dropped and counted (a database outage must not eat memory). */
  capacity: number;
  /** A partial batch is written at least this often. */
  flushIntervalMs: number;
  /** Writes of one batch before it is dropped and counted. */
  maxTries: number;
}

/** Injection token of {@link GatewayLedgerBufferOptions} (optional; defaults below). */
export const GATEWAY_LEDGER_BUFFER_OPTIONS = Symbol.for('switchboard.control-plane.gateway-ledger-buffer');

export const defaultGatewayLedgerBufferOptions: GatewayLedgerBufferOptions = {
  batchSize: 100,
  capacity: 10_000,
  flushIntervalMs: 250,
  maxTries: 3,
};

/**
 * The gateway's {@link GatewayOutcomeListener}: turns each outcome into a telemetry event (source
 * `gateway`) and writes it to the ledger through a bounded in-process buffer, in batches, off the
 * request's path: `onGatewayOutcome` only converts and queues, so it adds no latency to the
 * player's response. A failed write is logged (error code only, never content) and counted in
 * `switchboard_ledger_write_failures_total`; it is retried with the next flush up to `maxTries`
 * times, then dropped and counted in `switchboard_ledger_dropped_events_total`. Never throws to
 * the gateway. What is buffered is written before the database closes at shutdown.
 */
@Injectable()
export class GatewayLedgerWriter implements GatewayOutcomeListener, OnModuleInit, BeforeApplicationShutdown {
  readonly #logger = new Logger('Ledger');
  readonly #options: GatewayLedgerBufferOptions;
  #buffer: SourcedEvent[] = [];
  /** Failed writes of the batch at the head of the buffer. */
  #headTries = 0;
  /** Events at the head of the buffer that are being written now. */
  #inFlight = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #flushing: Promise<void> | undefined;
  #flushQueued = false;
  readonly #failures: Counter | undefined;
  readonly #dropped: Counter<'reason'> | undefined;

  constructor(
    @Inject(LedgerService) private readonly ledger: LedgerService,
    @Optional() @Inject(MetricsService) metrics: MetricsService | undefined,
    @Optional()
    @Inject(GATEWAY_LEDGER_BUFFER_OPTIONS)
    options: Partial<GatewayLedgerBufferOptions> | undefined,
  ) {
    this.#options = { ...defaultGatewayLedgerBufferOptions, ...options };
    if (metrics !== undefined) {
      this.#failures = new Counter({
        name: 'switchboard_ledger_write_failures_total',
        help: 'Failed writes of gateway outcomes to the ledger (each is retried up to a limit).',
        registers: [metrics.registry],
      });
      this.#dropped = new Counter({
        name: 'switchboard_ledger_dropped_events_total',
        help: 'Gateway outcomes that never reached the ledger: buffer full, or every write of their batch failed.',
        labelNames: ['reason'],
        registers: [metrics.registry],
      });
    }
  }

  onModuleInit(): void {
    this.#timer = setInterval(() => this.#startFlush(), this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Events waiting to be written. */
  get buffered(): number {
    return this.#buffer.length;
  }

  onGatewayOutcome(outcome: GatewayOutcome): void {
    try {
      const event = telemetryEventOfGatewayOutcome(outcome, randomUUID());
      if (event === undefined) return;
      if (this.#buffer.length >= this.#options.capacity) {
        // The oldest event not on the wire goes; a batch being written stays where it is.
        this.#dropped?.inc({ reason: 'buffer-full' });
        if (this.#inFlight >= this.#buffer.length) return;
        this.#buffer.splice(this.#inFlight, 1);
      }
      this.#buffer.push({ event, source: 'gateway', apiKeyId: outcome.apiKeyId ?? null });
      if (this.#buffer.length >= this.#options.batchSize && !this.#flushQueued) {
        this.#flushQueued = true;
        setImmediate(() => {
          this.#flushQueued = false;
          this.#startFlush();
        });
      }
    } catch (error) {
      this.#logger.warn(`Could not queue a gateway outcome for the ledger (${describe(error)}).`);
    }
  }

  /** Writes everything buffered now; resolves when the buffer is empty or a write failed. */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    this.#startFlush();
    if (this.#flushing !== undefined) await this.#flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    // Each failed flush counts a try; after `maxTries` the head batch is dropped, so this ends.
    while (this.#buffer.length > 0) await this.flush();
  }

  #startFlush(): void {
    if (this.#flushing !== undefined || this.#buffer.length === 0) return;
    this.#flushing = this.#writeAll().finally(() => {
      this.#flushing = undefined;
    });
  }

  async #writeAll(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#options.batchSize);
      this.#inFlight = batch.length;
      try {
        await this.ledger.record(batch);
      } catch (error) {
        this.#inFlight = 0;
        this.#failures?.inc();
        this.#headTries += 1;
        const dropping = this.#headTries >= this.#options.maxTries;
        this.#logger.warn(
          `Could not write ${batch.length} gateway outcomes to the ledger (${describe(error)}); ` +
            (dropping ? 'they are dropped after repeated failures.' : 'retrying with the next flush.'),
        );
        if (dropping) {
          this.#buffer.splice(0, batch.length);
          this.#headTries = 0;
          this.#dropped?.inc({ reason: 'write-failed' }, batch.length);
        }
        return;
      }
      // Only what was written leaves the buffer; anything that arrived meanwhile stays behind it.
      this.#inFlight = 0;
      this.#buffer.splice(0, batch.length);
      this.#headTries = 0;
    }
  }
}

/** An error's name and code, never its message (a driver's message can quote values). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}
