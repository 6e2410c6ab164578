import { parseTherapeuticContext, type Decision } from '@switchboard/core';
import type { AttemptRecord, ExecutionResult } from '@switchboard/sdk';
import { describe, expect, it } from 'vitest';
import type { GatewayOutcome } from '../gateway/gateway-outcome.reporter.ts';
import { MetricsService } from '../observability/metrics.service.ts';
import { GatewayLedgerWriter, type GatewayLedgerBufferOptions } from './gateway-ledger-writer.ts';
import type { SourcedEvent } from './ledger-rows.ts';
import type { LedgerService, LedgerWriteResult } from './ledger.service.ts';

const decision = {
  policyName: 'default',
  snapshotVersion: 4,
  candidates: [{ modelId: 'sim/first' }],
} as unknown as Decision;

function attempt(overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    index: 0,
    modelId: 'sim/first',
    provider: 'sim',
    trigger: 'initial',
    continuation: undefined,
    outcome: 'ok',
    error: undefined,
    deadline: undefined,
    probe: false,
    startedAt: 1_000,
    headersAt: 1_010,
    firstTokenAt: 1_020,
    endedAt: 1_200,
    outputCharacters: 42,
    usage: {
      inputTokens: { total: 300, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 40, reasoning: undefined },
    },
    billed: true,
    cost: { status: 'known', micros: 95, priceVersion: 'prices-1' },
    ...overrides,
  };
}

function outcome(index: number, attempts: AttemptRecord[] = [attempt()]): GatewayOutcome {
  const result = {
    decision,
    attempts,
    answeredBy: 'sim/first',
    contributors: ['sim/first'],
    fallback: undefined,
  } as unknown as ExecutionResult;
  return {
    decisionId: `decision-${index}`,
    requestModel: 'switchboard/auto',
    context: parseTherapeuticContext({
      taskType: 'dialogue_generation',
      riskLevel: 'low',
      playerId: 'player-1',
      tenantId: 'tenant-1',
    }),
    stream: false,
    apiKeyId: 'key-1',
    startedAt: 990,
    endedAt: 1_250,
    result,
    error: undefined,
  };
}

/** A ledger that records what it is given, or fails while `failing` is set. */
class RecordingLedger {
  readonly batches: SourcedEvent[][] = [];
  failing = false;
  record(batch: readonly SourcedEvent[]): Promise<LedgerWriteResult> {
    if (this.failing)
      return Promise.reject(
        Object.assign(new Error('connection refused: SELECT secret'), { code: 'ECONNREFUSED' }),
      );
    this.batches.push([...batch]);
    return Promise.resolve({ stored: batch.length, duplicates: 0 });
  }
}

function writer(options: Partial<GatewayLedgerBufferOptions> = {}) {
  const ledger = new RecordingLedger();
  const metrics = new MetricsService();
  const sut = new GatewayLedgerWriter(ledger as unknown as LedgerService, metrics, {
    flushIntervalMs: 60_000,
    ...options,
  });
  return { sut, ledger, metrics };
}

describe('GatewayLedgerWriter', () => {
  it('queues without writing on the request path, then writes the outcome as a gateway telemetry event', async () => {
    const { sut, ledger } = writer();
    expect(
      sut.onGatewayOutcome(
        outcome(1, [
          attempt({
            trigger: 'hedge',
            outcome: 'hedge-lost',
            cost: { status: 'unknown', reason: 'no-usage', priceVersion: 'prices-1' },
          }),
          attempt({ index: 1 }),
        ]),
      ),
    ).toBeUndefined();
    expect(ledger.batches).toEqual([]);
    await sut.flush();
    const [written] = ledger.batches.flat();
    expect(written).toMatchObject({ source: 'gateway', apiKeyId: 'key-1' });
    expect(written!.event).toMatchObject({
      schemaVersion: 1,
      decisionId: 'decision-1',
      occurredAt: new Date(1_250).toISOString(),
      policyName: 'default',
      snapshotVersion: 4,
      playerId: 'player-1',
      sessionId: null,
      tenantId: 'tenant-1',
      answeredBy: 'sim/first',
      outcome: 'answered',
      fallback: false,
      totalLatencyMs: 260,
    });
    expect(written!.event.attempts).toEqual([
      expect.objectContaining({
        outcome: 'cancelled',
        hedge: true,
        billed: true,
        cost: { status: 'unknown', reason: 'no-usage' },
      }),
      expect.objectContaining({
        outcome: 'succeeded',
        startedAfterMs: 10,
        timeToFirstTokenMs: 20,
        durationMs: 200,
        cost: { status: 'known', micros: 95 },
        priceVersion: 'prices-1',
      }),
    ]);
  });

  it('writes in batches of the configured size', async () => {
    const { sut, ledger } = writer({ batchSize: 2 });
    for (let index = 0; index < 5; index += 1) sut.onGatewayOutcome(outcome(index));
    await sut.flush();
    expect(ledger.batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
  });

  it('counts a failed write, keeps the events for the next flush, and drops them after the last try', async () => {
    const { sut, ledger, metrics } = writer({ maxTries: 2 });
    ledger.failing = true;
    sut.onGatewayOutcome(outcome(1));
    await expect(sut.flush()).resolves.toBeUndefined();
    expect(sut.buffered).toBe(1);
    ledger.failing = false;
    await sut.flush();
    expect(ledger.batches.flat()).toHaveLength(1);
    ledger.failing = true;
    sut.onGatewayOutcome(outcome(2));
    await sut.flush();
    await sut.flush();
    expect(sut.buffered).toBe(0);
    const text = await metrics.render();
    expect(text).toMatch(/switchboard_ledger_write_failures_total 3/);
    expect(text).toMatch(/switchboard_ledger_dropped_events_total\{reason="write-failed"\} 1/);
  });

  it('holds at most its capacity, dropping the oldest and counting them', async () => {
    const { sut, ledger, metrics } = writer({ capacity: 3 });
    for (let index = 0; index < 5; index += 1) sut.onGatewayOutcome(outcome(index));
    expect(sut.buffered).toBe(3);
    await sut.flush();
    expect(ledger.batches.flat().map((entry) => entry.event.decisionId)).toEqual([
      'decision-2',
      'decision-3',
      'decision-4',
    ]);
    expect(await metrics.render()).toMatch(
      /switchboard_ledger_dropped_events_total\{reason="buffer-full"\} 2/,
    );
  });

  it('writes what is buffered before the application shuts down', async () => {
    const { sut, ledger } = writer();
    sut.onModuleInit();
    sut.onGatewayOutcome(outcome(1));
    await sut.beforeApplicationShutdown();
    expect(ledger.batches.flat()).toHaveLength(1);
  });
});
