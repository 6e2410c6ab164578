import { randomUUID } from 'node:crypto';
import { telemetrySchemaVersion, type TelemetryAttempt, type TelemetryEvent } from '@switchboard/sdk';

/** A succeeded, billed attempt with the given usage and cost. */
export function billedAttempt(overrides: Partial<TelemetryAttempt> = {}): TelemetryAttempt {
  return {
    modelId: 'sim/fast-small',
    provider: 'sim',
    outcome: 'succeeded',
    errorKind: null,
    status: null,
    hedge: false,
    startedAfterMs: 0,
    timeToFirstTokenMs: 100,
    durationMs: 400,
    usage: {
      inputTokens: 300,
      outputTokens: 40,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      reasoningTokens: null,
    },
    cost: { status: 'known', micros: 70 },
    priceVersion: 'test-prices-1',
    billed: true,
    ...overrides,
  };
}

/** A request event with one billed attempt unless `attempts` says otherwise. */
export function telemetryEvent(overrides: Partial<TelemetryEvent> = {}): TelemetryEvent {
  const attempts = overrides.attempts ?? [billedAttempt()];
  return {
    schemaVersion: telemetrySchemaVersion,
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    decisionId: randomUUID(),
    policyName: 'default',
    snapshotVersion: 1,
    taskType: 'dialogue_generation',
    riskLevel: 'low',
    playerId: 'player-1',
    sessionId: 'session-1',
    tenantId: 'tenant-a',
    answeredBy: attempts.findLast((attempt) => attempt.outcome === 'succeeded')?.modelId ?? null,
    outcome: 'answered',
    fallback: false,
    totalLatencyMs: 450,
    ...overrides,
    attempts,
  };
}
