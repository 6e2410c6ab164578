import type { TelemetryEvent } from './telemetry-event.ts';

/** Counters a sink keeps so a host can see, without logs, whether telemetry is getting through. */
export interface TelemetrySinkStats {
  /** Events the receiver acknowledged (or, for the memory sink, stored). */
  sent: number;
  /**
   * Events given up on: pushed out of a full buffer (oldest first), refused by the receiver as
   * malformed or unauthorised (also counted in `rejected`), emitted after `close()`, or still
   * unsent when `close()` ran out of time.
   */
  dropped: number;
  /** The part of `dropped` the receiver refused for good (a 4xx other than 408 and 429). */
  rejected: number;
  /** Events held in memory right now, including a batch on the wire. */
  buffered: number;
  /** Delivery attempts that failed and will be (or would have been) retried. */
  failedAttempts: number;
}

/** How long `close()` may take. */
export interface TelemetryCloseOptions {
  /** Milliseconds to keep trying to deliver what is buffered before dropping it. Default 5000. */
  timeoutMs?: number | undefined;
}

/**
 * Where telemetry events go. A request must never wait for, or fail because of, telemetry: `emit`
 * returns at once and never throws, whatever state the receiver is in; delivery happens later, in
 * the background.
 */
export interface TelemetrySink {
  /** Queues an event. Never blocks, never throws. */
  emit(event: TelemetryEvent): void;
  /** Tries to deliver what is buffered now; resolves (never rejects) when done or when an attempt failed. */
  flush(): Promise<void>;
  /** Delivers what is buffered (within the timeout), then stops; later events are dropped. Never rejects. */
  close(options?: TelemetryCloseOptions): Promise<void>;
  stats(): TelemetrySinkStats;
}
