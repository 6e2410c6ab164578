import { Injectable, Logger } from '@nestjs/common';
import type { TelemetryEvent } from '@switchboard/sdk';

/** Where a traffic outcome came from: the control plane's own gateway, or an SDK's telemetry batch. */
export type TrafficSource = 'gateway' | 'sdk';

/** One finished request, in the SDK's telemetry shape whichever host ran it. Never holds message content. */
export interface TrafficOutcome {
  source: TrafficSource;
  event: TelemetryEvent;
}

/** Learns from finished requests (optimiser statistics, passive health, dashboards). */
export type TrafficOutcomeListener = (outcome: TrafficOutcome) => void;

/**
 * Fans every finished request out to whoever learns from traffic, in process. The ledger publishes
 * each gateway request and each newly ingested SDK event exactly once (a replayed telemetry batch
 * publishes nothing), so listeners never count a request twice. A throwing listener is logged and
 * skipped: learning must never fail a player's request or an ingest.
 */
@Injectable()
export class TrafficOutcomeBus {
  readonly #logger = new Logger('TrafficOutcomeBus');
  readonly #listeners = new Set<TrafficOutcomeListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: TrafficOutcomeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(outcome: TrafficOutcome): void {
    for (const listener of this.#listeners) {
      try {
        listener(outcome);
      } catch (error) {
        this.#logger.warn(
          `A traffic listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
