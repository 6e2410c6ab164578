import { EventQueue } from './event-queue.ts';
import type { TelemetryEvent } from './telemetry-event.ts';
import type { TelemetrySink, TelemetrySinkStats } from './telemetry-sink.ts';

/** Options of {@link createMemoryTelemetrySink}. */
export interface MemoryTelemetrySinkOptions {
  /** Most events kept; the oldest are dropped (and counted) beyond it. Default 10,000. */
  maxEvents?: number | undefined;
}

/** A sink that keeps events in memory, for tests and for hosts that read telemetry themselves. */
export interface MemoryTelemetrySink extends TelemetrySink {
  /** The events kept, oldest first. */
  events(): readonly TelemetryEvent[];
  /** Forgets the events kept (the counters stay). */
  clear(): void;
}

/**
 * A {@link TelemetrySink} that stores events in an array: for tests, standalone use without a
 * control plane, and hosts that forward events their own way.
 */
export function createMemoryTelemetrySink(options: MemoryTelemetrySinkOptions = {}): MemoryTelemetrySink {
  const maxEvents = options.maxEvents ?? 10_000;
  if (!Number.isInteger(maxEvents) || maxEvents < 1) {
    throw new RangeError(`maxEvents must be a whole number of at least 1, got ${String(maxEvents)}.`);
  }
  const stored = new EventQueue<TelemetryEvent>();
  let closed = false;
  const counters = { sent: 0, dropped: 0 };
  return {
    emit(event) {
      if (closed) {
        counters.dropped += 1;
        return;
      }
      stored.push(event);
      counters.sent += 1;
      if (stored.length > maxEvents) {
        stored.shift();
        counters.dropped += 1;
      }
    },
    flush: () => Promise.resolve(),
    close() {
      closed = true;
      return Promise.resolve();
    },
    stats: (): TelemetrySinkStats => ({
      sent: counters.sent,
      dropped: counters.dropped,
      rejected: 0,
      buffered: stored.length,
      failedAttempts: 0,
    }),
    events: () => stored.toArray(),
    clear: () => stored.clear(),
  };
}
