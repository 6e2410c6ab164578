import { describe, expect, it } from 'vitest';
import { createTelemetryEvent, type TelemetryAttempt } from '../telemetry/telemetry-event.ts';
import { attemptOutcomesOfEvent } from './telemetry-outcomes.ts';

function attempt(overrides: Partial<TelemetryAttempt>): TelemetryAttempt {
  return {
    modelId: 'sim/a',
    provider: 'sim',
    outcome: 'succeeded',
    errorKind: null,
    status: null,
    hedge: false,
    startedAfterMs: 0,
    timeToFirstTokenMs: 120,
    durationMs: 900,
    usage: {
      inputTokens: 50,
      outputTokens: 80,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
    },
    cost: { status: 'known', micros: 10 },
    priceVersion: 'v1',
    billed: true,
    ...overrides,
  };
}

describe('attemptOutcomesOfEvent', () => {
  const endedAt = Date.UTC(2026, 0, 1, 12);
  const event = createTelemetryEvent(
    {
      decisionId: 'decision-1',
      policyName: 'default',
      snapshotVersion: 3,
      taskType: 'dialogue_generation',
      riskLevel: 'low',
      playerId: null,
      sessionId: null,
      tenantId: null,
      attempts: [
        attempt({
          modelId: 'sim/a',
          outcome: 'failed',
          errorKind: 'server',
          status: 500,
          timeToFirstTokenMs: null,
          durationMs: 100,
        }),
        attempt({
          modelId: 'sim/b',
          outcome: 'cancelled',
          hedge: true,
          startedAfterMs: 100,
          durationMs: 300,
        }),
        attempt({ modelId: 'sim/c', startedAfterMs: 100, durationMs: 900 }),
      ],
      answeredBy: 'sim/c',
      outcome: 'answered',
      fallback: true,
      totalLatencyMs: 1000,
    },
    { clock: { now: () => endedAt }, generateId: () => 'event-1' },
  );

  it('reads failures with their kind, answers with their timings and tokens, and leaves out what we cancelled', () => {
    expect(attemptOutcomesOfEvent(event)).toEqual([
      {
        modelId: 'sim/a',
        taskType: 'dialogue_generation',
        now: endedAt - 900,
        ok: false,
        errorKind: 'server',
        timeToFirstTokenMs: undefined,
      },
      {
        modelId: 'sim/c',
        taskType: 'dialogue_generation',
        now: endedAt,
        ok: true,
        timeToFirstTokenMs: 120,
        totalMs: 900,
        outputTokens: 80,
      },
    ]);
  });

  it('dates nothing after the receiver’s clock, and nothing at all from an event without a date', () => {
    const dates = attemptOutcomesOfEvent(event, endedAt - 500).map((outcome) => outcome.now);
    expect(dates).toEqual([endedAt - 900, endedAt - 500]);
    expect(attemptOutcomesOfEvent({ ...event, occurredAt: 'yesterday' })).toEqual([]);
  });
});
