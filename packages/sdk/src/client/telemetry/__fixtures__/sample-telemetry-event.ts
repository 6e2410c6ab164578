import { createTelemetryEvent, type TelemetryEvent } from '../telemetry-event.ts';

/** A plausible event for tests, with a readable id `event-<index>` and the given player id. */
export function sampleTelemetryEvent(index: number, playerId = 'player-7'): TelemetryEvent {
  return createTelemetryEvent(
    {
      decisionId: `decision-${index}`,
      policyName: 'default',
      snapshotVersion: 3,
      taskType: 'dialogue_generation',
      riskLevel: 'low',
      playerId,
      sessionId: 'session-1',
      tenantId: null,
      attempts: [
        {
          modelId: 'sim/fast-small',
          provider: 'sim',
          outcome: 'succeeded',
          errorKind: null,
          status: null,
          hedge: false,
          startedAfterMs: 0,
          timeToFirstTokenMs: 120,
          durationMs: 480,
          usage: {
            inputTokens: 310,
            outputTokens: 42,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            reasoningTokens: null,
          },
          cost: { status: 'known', micros: 72 },
          priceVersion: 'sim-demo-1',
          billed: true,
        },
      ],
      answeredBy: 'sim/fast-small',
      outcome: 'answered',
      fallback: false,
      totalLatencyMs: 482,
    },
    { generateId: () => `event-${index}`, clock: { now: () => Date.UTC(2026, 0, 1) + index } },
  );
}
