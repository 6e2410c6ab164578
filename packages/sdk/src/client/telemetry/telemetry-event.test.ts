import { describe, expect, it } from 'vitest';
import { sampleTelemetryEvent } from './__fixtures__/sample-telemetry-event.ts';
import {
  createTelemetryEvent,
  telemetrySchemaVersion,
  type TelemetryEventFields,
} from './telemetry-event.ts';

const fields: TelemetryEventFields = {
  decisionId: 'decision-1',
  policyName: 'default',
  snapshotVersion: 1,
  taskType: 'general_chat',
  riskLevel: 'none',
  playerId: null,
  sessionId: null,
  tenantId: null,
  attempts: [],
  answeredBy: null,
  outcome: 'no-eligible-model',
  fallback: false,
  totalLatencyMs: 3,
};

describe('createTelemetryEvent', () => {
  it('stamps the id from the injected generator and the time from the injected clock', () => {
    const event = createTelemetryEvent(fields, { generateId: () => 'fixed-id', clock: { now: () => 0 } });
    expect(event).toMatchObject({
      schemaVersion: telemetrySchemaVersion,
      eventId: 'fixed-id',
      occurredAt: '1970-01-01T00:00:00.000Z',
    });
  });

  it('defaults to a fresh random UUID per event, so retries of one event can be told from new events', () => {
    const first = createTelemetryEvent(fields);
    const second = createTelemetryEvent(fields);
    expect(first.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.eventId).not.toBe(first.eventId);
  });

  it('has no field that could carry message content', () => {
    const keys = new Set<string>();
    const collect = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      for (const [key, inner] of Object.entries(value)) {
        keys.add(key);
        collect(inner);
      }
    };
    collect(sampleTelemetryEvent(1));
    for (const forbidden of [
      'messages',
      'content',
      'text',
      'prompt',
      'answer',
      'message',
      'providerMessage',
    ]) {
      expect(keys.has(forbidden), forbidden).toBe(false);
    }
  });
});
