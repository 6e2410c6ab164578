import { Inject, Injectable, Optional } from '@nestjs/common';
import type { TelemetryAttempt, TelemetryEvent } from '@switchboard/sdk';
import { Counter } from 'prom-client';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ModelHealthService } from '../health/model-health.service.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { TrafficOutcomeBus } from '../traffic/traffic-outcome-bus.ts';
import { ledgerRowsOf, type SourcedEvent } from './ledger-rows.ts';
import { LedgerRepository } from './ledger.repository.ts';
import { parseTelemetryBatch } from './telemetry-batch.ts';

/** What storing a batch came to. */
export interface LedgerWriteResult {
  /** Events stored now. */
  stored: number;
  /** Events already in the ledger (a replayed batch), or repeated within the batch; nothing was added for them. */
  duplicates: number;
}

/** What `POST /v1/telemetry` answers (200): how many events were new and how many were replays. */
export interface TelemetryBatchAccepted extends LedgerWriteResult {
  /** Events in the batch. */
  received: number;
}

/** Most events one ledger statement carries when concurrent batches are combined. */
const maxEventsPerStatement = 1000;
/** Ledger statements in flight at once (the PostgreSQL pool holds 10 connections for everything). */
const maxConcurrentStatements = 2;

/** A batch waiting for its statement. */
interface PendingWrite {
  sourced: readonly SourcedEvent[];
  resolve(result: LedgerWriteResult): void;
  reject(error: unknown): void;
}

/**
 * SDK attempts older than this do not feed passive health: a batch that waited out an outage says
 * nothing about how the model is doing now, and must not open (or close) a circuit today.
 */
const healthRelevanceMs = 5 * 60_000;

/**
 * Writes telemetry (SDK batches and the gateway's own outcomes) into the ledger, and tells the rest
 * of the control plane about each NEW request exactly once: the {@link TrafficOutcomeBus} for every
 * source, passive health for SDK attempts (the gateway reports its own attempts to health as they
 * happen). A replayed batch stores nothing and publishes nothing.
 */
@Injectable()
export class LedgerService {
  private readonly eventsCounter: Counter<'source' | 'result'> | undefined;
  readonly #waiting: PendingWrite[] = [];
  #running = 0;

  constructor(
    @Inject(LedgerRepository) private readonly repository: LedgerRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TrafficOutcomeBus) private readonly bus: TrafficOutcomeBus,
    @Optional() @Inject(ModelHealthService) private readonly health: ModelHealthService | undefined,
    @Optional() @Inject(MetricsService) metrics: MetricsService | undefined,
  ) {
    this.eventsCounter =
      metrics === undefined
        ? undefined
        : new Counter({
            name: 'switchboard_ledger_events_total',
            help: 'Telemetry events offered to the ledger, by source and whether they were new (stored) or a replay (duplicate).',
            labelNames: ['source', 'result'],
            registers: [metrics.registry],
          });
  }

  /**
   * What `POST /v1/telemetry` does with a body, whichever path read the request (the controller, or
   * the fast path in front of Express): parses the batch (a 400 naming the problem when it is
   * malformed, nothing stored) and stores its events as the SDK's.
   */
  async ingestTelemetry(body: unknown, apiKeyId: string | null): Promise<TelemetryBatchAccepted> {
    const events = parseTelemetryBatch(body);
    const result = await this.record(events.map((event) => ({ event, source: 'sdk', apiKeyId })));
    return { received: events.length, ...result };
  }

  /**
   * Stores the events in one transaction and resolves once they are committed; throws when the
   * database refuses (the caller decides what then: the HTTP ingest answers 5xx, which the SDK
   * retries). Batches that arrive while statements are running are combined into the next one (at
   * most {@link maxEventsPerStatement} events), so under load many requests share one commit
   * instead of each paying its own; a lone batch is written at once, without waiting.
   */
  record(sourced: readonly SourcedEvent[]): Promise<LedgerWriteResult> {
    if (sourced.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    return new Promise<LedgerWriteResult>((resolve, reject) => {
      this.#waiting.push({ sourced, resolve, reject });
      this.#startStatements();
    });
  }

  #startStatements(): void {
    while (this.#running < maxConcurrentStatements && this.#waiting.length > 0) {
      const group: PendingWrite[] = [];
      let events = 0;
      while (this.#waiting.length > 0) {
        const next = this.#waiting[0]!;
        if (group.length > 0 && events + next.sourced.length > maxEventsPerStatement) break;
        group.push(next);
        events += next.sourced.length;
        this.#waiting.shift();
      }
      this.#running += 1;
      void this.#writeGroup(group).finally(() => {
        this.#running -= 1;
        this.#startStatements();
      });
    }
  }

  async #writeGroup(group: PendingWrite[]): Promise<void> {
    try {
      const results = await this.#write(group.map((pending) => pending.sourced));
      group.forEach((pending, index) => pending.resolve(results[index]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One request's rows must not fail the others: each is tried on its own.
      for (const pending of group) {
        try {
          pending.resolve((await this.#write([pending.sourced]))[0]!);
        } catch (single) {
          pending.reject(single);
        }
      }
    }
  }

  /** One statement for several requests' events; each request's result, in order. */
  async #write(requests: readonly (readonly SourcedEvent[])[]): Promise<LedgerWriteResult[]> {
    const all = requests.flat();
    const now = this.clock.now();
    const newIds = await this.repository.insertBatch(ledgerRowsOf(all));
    return requests.map((sourced) => {
      let stored = 0;
      for (const entry of sourced) {
        // `delete`: an id repeated (within a batch, or across combined batches) counts once, as stored once.
        if (!newIds.delete(entry.event.eventId)) continue;
        stored += 1;
        this.bus.publish({ source: entry.source, event: entry.event });
        if (entry.source === 'sdk') this.feedHealth(entry.event, now);
      }
      const duplicates = sourced.length - stored;
      const source = sourced[0]?.source ?? 'sdk';
      this.eventsCounter?.inc({ source, result: 'stored' }, stored);
      if (duplicates > 0) this.eventsCounter?.inc({ source, result: 'duplicate' }, duplicates);
      return { stored, duplicates };
    });
  }

  /** Passive health from an SDK's attempts, as the gateway reporter does for its own. */
  private feedHealth(event: TelemetryEvent, now: number): void {
    const health = this.health;
    if (health === undefined) return;
    const occurredAt = Date.parse(event.occurredAt);
    if (!(now - occurredAt <= healthRelevanceMs)) return;
    for (const attempt of event.attempts) this.feedAttempt(health, attempt);
  }

  private feedAttempt(health: ModelHealthService, attempt: TelemetryAttempt): void {
    if (attempt.outcome === 'cancelled') return;
    if (attempt.outcome === 'succeeded') {
      health.recordOutcome(attempt.modelId, { ok: true, latencyMs: attempt.durationMs, source: 'telemetry' });
      return;
    }
    if (attempt.errorKind === null) return;
    health.recordOutcome(attempt.modelId, {
      ok: false,
      kind: attempt.errorKind,
      latencyMs: attempt.durationMs,
      source: 'telemetry',
    });
  }
}
