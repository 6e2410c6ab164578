import { describe, expect, it } from 'vitest';
import { sampleTelemetryEvent } from './__fixtures__/sample-telemetry-event.ts';
import { createMemoryTelemetrySink } from './memory-telemetry-sink.ts';

describe('createMemoryTelemetrySink', () => {
  it('keeps events in order and counts them as sent', async () => {
    const sink = createMemoryTelemetrySink();
    sink.emit(sampleTelemetryEvent(1));
    sink.emit(sampleTelemetryEvent(2));
    await sink.flush();
    expect(sink.events().map((event) => event.eventId)).toEqual(['event-1', 'event-2']);
    expect(sink.stats()).toEqual({ sent: 2, dropped: 0, rejected: 0, buffered: 2, failedAttempts: 0 });
  });

  it('drops the oldest events beyond its bound and counts them', () => {
    const sink = createMemoryTelemetrySink({ maxEvents: 3 });
    for (let index = 0; index < 5; index++) sink.emit(sampleTelemetryEvent(index));
    expect(sink.events().map((event) => event.eventId)).toEqual(['event-2', 'event-3', 'event-4']);
    expect(sink.stats()).toMatchObject({ dropped: 2, buffered: 3 });
  });

  it('drops events emitted after close() instead of throwing', async () => {
    const sink = createMemoryTelemetrySink();
    await sink.close();
    expect(() => sink.emit(sampleTelemetryEvent(1))).not.toThrow();
    expect(sink.events()).toHaveLength(0);
    expect(sink.stats().dropped).toBe(1);
  });

  it('forgets kept events on clear() but keeps its counters', () => {
    const sink = createMemoryTelemetrySink();
    sink.emit(sampleTelemetryEvent(1));
    sink.clear();
    expect(sink.events()).toHaveLength(0);
    expect(sink.stats().sent).toBe(1);
  });
});
