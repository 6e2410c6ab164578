import { describe, expect, it } from 'vitest';
import { billedAttempt, telemetryEvent } from './__fixtures__/telemetry-events.ts';
import { billReasonOf, ledgerRowsOf } from './ledger-rows.ts';

const noUsage = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  reasoningTokens: null,
};

describe('ledgerRowsOf', () => {
  it('makes one row per attempt, an unbilled failure a known 0 and a missing price unknown (null), never 0', () => {
    const event = telemetryEvent({
      attempts: [
        billedAttempt({
          outcome: 'failed',
          errorKind: 'network',
          billed: false,
          usage: noUsage,
          cost: { status: 'known', micros: 0 },
        }),
        billedAttempt({ cost: { status: 'unknown', reason: 'no-price' }, priceVersion: null }),
      ],
    });
    const rows = ledgerRowsOf([{ event, source: 'sdk', apiKeyId: 'key-1' }]);
    expect(rows.events).toHaveLength(1);
    expect(rows.events[0]).toMatchObject({
      event_id: event.eventId,
      attempt_count: 2,
      api_key_id: 'key-1',
      source: 'sdk',
    });
    expect(
      rows.attempts.map((row) => [
        row.attempt_index,
        row.bill_reason,
        row.cost_status,
        row.cost_micros,
        row.unknown_cost_reason,
      ]),
    ).toEqual([
      [0, 'failed-not-billed', 'known', 0, null],
      [1, 'completed', 'unknown', null, 'no-price'],
    ]);
  });

  it('keeps the first of an event id repeated within a batch', () => {
    const event = telemetryEvent();
    const rows = ledgerRowsOf([
      { event, source: 'sdk', apiKeyId: null },
      { event: { ...event, playerId: 'someone-else' }, source: 'sdk', apiKeyId: null },
    ]);
    expect(rows.events).toHaveLength(1);
    expect(rows.events[0]!.player_id).toBe(event.playerId);
    expect(rows.attempts).toHaveLength(1);
  });

  it('rounds fractional milliseconds from a host clock with sub-millisecond precision', () => {
    const event = telemetryEvent({
      totalLatencyMs: 10.6,
      attempts: [billedAttempt({ startedAfterMs: 0.4, timeToFirstTokenMs: 3.5, durationMs: 9.49 })],
    });
    const rows = ledgerRowsOf([{ event, source: 'gateway', apiKeyId: null }]);
    expect(rows.events[0]!.total_latency_ms).toBe(11);
    expect(rows.attempts[0]).toMatchObject({
      started_after_ms: 0,
      time_to_first_token_ms: 4,
      duration_ms: 9,
    });
  });
});

describe('billReasonOf', () => {
  it('says why each attempt is billed or not', () => {
    expect(billReasonOf(billedAttempt())).toBe('completed');
    expect(billReasonOf(billedAttempt({ outcome: 'cancelled', hedge: true }))).toBe('cancelled-after-accept');
    expect(billReasonOf(billedAttempt({ outcome: 'cancelled', billed: false }))).toBe('cancelled-not-billed');
    expect(billReasonOf(billedAttempt({ outcome: 'failed', billed: true }))).toBe('failed-with-usage');
    expect(billReasonOf(billedAttempt({ outcome: 'failed', billed: false }))).toBe('failed-not-billed');
  });
});
