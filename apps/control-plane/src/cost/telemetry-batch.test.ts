import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { billedAttempt, telemetryEvent } from './__fixtures__/telemetry-events.ts';
import { maxEventsPerBatch, parseTelemetryBatch } from './telemetry-batch.ts';

function refusal(body: unknown): ApiError {
  try {
    parseTelemetryBatch(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the batch to be refused');
}

describe('parseTelemetryBatch', () => {
  it('reads what the SDK sink sends, as JSON on the wire', () => {
    const events = [
      telemetryEvent(),
      telemetryEvent({ attempts: [], outcome: 'no-eligible-model', answeredBy: null }),
    ];
    expect(parseTelemetryBatch(JSON.parse(JSON.stringify({ events })))).toEqual(events);
  });

  it('ignores a field it does not know, so an additive SDK change does not lose whole batches', () => {
    const event = { ...telemetryEvent(), addedLater: true };
    expect(parseTelemetryBatch({ events: [event] })[0]!.eventId).toBe(event.eventId);
  });

  it('names each bad field with its place in the batch', () => {
    const error = refusal({
      events: [
        telemetryEvent(),
        telemetryEvent({
          taskType: 'juggling' as never,
          attempts: [billedAttempt({ cost: { status: 'known', micros: 1.5 } })],
        }),
      ],
    });
    expect(error.code).toBe('invalid_request');
    expect(error.issues?.map((issue) => issue.path)).toEqual([
      'events.1.taskType',
      'events.1.attempts.0.cost.micros',
    ]);
  });

  it('names an unknown schema version rather than its fields', () => {
    const error = refusal({ events: [{ ...telemetryEvent(), schemaVersion: 7, eventId: 3 }] });
    expect(error.issues).toEqual([
      { path: 'events.0.schemaVersion', message: expect.stringMatching(/7 is not supported/) },
    ]);
  });

  it('refuses a body that is not a batch, and a batch larger than the limit', () => {
    expect(refusal([]).issues?.[0]).toEqual({ path: '(root)', message: expect.stringMatching(/"events"/) });
    expect(
      refusal({ events: Array.from({ length: maxEventsPerBatch + 1 }, () => ({})) }).issues?.[0]?.path,
    ).toBe('events');
  });

  it('lists at most 20 issues for a batch of bad events', () => {
    const error = refusal({ events: Array.from({ length: 50 }, () => ({ schemaVersion: 1 })) });
    expect(error.issues).toHaveLength(20);
  });
});
