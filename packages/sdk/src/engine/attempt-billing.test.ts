import { describe, expect, it } from 'vitest';
import type { ModelPrice, Usage } from '@switchboard/core';
import { billAttempt, billedTotals } from './attempt-billing.ts';
import type { AttemptOutcome, AttemptRecord } from './execution-result.ts';

const modelPrice: ModelPrice = {
  inputPerMillionMicros: 1_000_000,
  outputPerMillionMicros: 2_000_000,
  version: 'v1',
};
const usage: Usage = {
  inputTokens: { total: 100, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 50, reasoning: 0 },
};

function attempt(outcome: AttemptOutcome, reported: Usage | undefined): AttemptRecord {
  return {
    index: 0,
    modelId: 'a',
    provider: 'sim',
    trigger: 'initial',
    continuation: undefined,
    outcome,
    error: undefined,
    deadline: undefined,
    probe: false,
    startedAt: 0,
    headersAt: undefined,
    firstTokenAt: undefined,
    endedAt: 0,
    outputCharacters: 0,
    usage: reported,
    billed: false,
    cost: undefined,
  };
}

describe('billing attempts', () => {
  it('prices a completed attempt from the usage the provider reported', () => {
    const record = attempt('ok', usage);
    billAttempt(record, modelPrice);
    expect(record).toMatchObject({
      billed: true,
      cost: { status: 'known', micros: 200, priceVersion: 'v1' },
    });
  });

  it('never bills a failed attempt without reported usage, and bills a lost hedge as unknown, not free', () => {
    const cut = attempt('stream_cut', undefined);
    const lost = attempt('hedge-lost', undefined);
    billAttempt(cut, modelPrice);
    billAttempt(lost, modelPrice);
    expect(cut).toMatchObject({ billed: false, cost: undefined });
    expect(lost).toMatchObject({ billed: true, cost: { status: 'unknown', reason: 'no-usage' } });
    expect(billedTotals([cut, lost])).toMatchObject({ cost: { micros: 0, complete: false } });
  });

  it('adds up usage and known costs over billed attempts', () => {
    const first = attempt('ok', usage);
    const second = attempt('ok', usage);
    billAttempt(first, modelPrice);
    billAttempt(second, modelPrice);
    const totals = billedTotals([first, second]);
    expect(totals.cost).toEqual({ micros: 400, complete: true });
    expect(totals.usage.inputTokens.total).toBe(200);
    expect(totals.usage.outputTokens.total).toBe(100);
  });
});
