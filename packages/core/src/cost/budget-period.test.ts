import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetKey, budgetPeriods, periodWindow } from './budget-period.ts';

const at = (iso: string): number => Date.parse(iso);

describe('periodWindow', () => {
  it('runs a day from UTC midnight to the next UTC midnight', () => {
    expect(periodWindow('day', at('2025-03-14T23:59:59.999Z'))).toEqual({
      start: at('2025-03-14T00:00:00.000Z'),
      resetsAt: at('2025-03-15T00:00:00.000Z'),
    });
  });

  it('starts a new day exactly at midnight', () => {
    expect(periodWindow('day', at('2025-03-15T00:00:00.000Z')).start).toBe(at('2025-03-15T00:00:00.000Z'));
  });

  it('runs a month from the first to the first of the next month, across a year end', () => {
    expect(periodWindow('month', at('2025-12-31T18:30:00Z'))).toEqual({
      start: at('2025-12-01T00:00:00Z'),
      resetsAt: at('2026-01-01T00:00:00Z'),
    });
  });

  it('knows February of a leap year', () => {
    expect(periodWindow('month', at('2024-02-29T12:00:00Z')).resetsAt).toBe(at('2024-03-01T00:00:00Z'));
    expect(periodWindow('day', at('2024-02-29T12:00:00Z')).resetsAt).toBe(at('2024-03-01T00:00:00Z'));
  });

  it('never resets a lifetime budget', () => {
    expect(periodWindow('lifetime', at('2025-03-14T10:00:00Z'))).toEqual({ start: 0, resetsAt: null });
  });

  it('refuses a time that is not a number, instead of returning an invalid window', () => {
    expect(() => periodWindow('day', Number.NaN)).toThrow(/finite epoch time/);
  });

  it('always contains the instant it was asked about, and the next window starts where it resets', () => {
    const nowArbitrary = fc.integer({ min: at('1990-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(fc.constantFrom('day' as const, 'month' as const), nowArbitrary, (period, now) => {
        const window = periodWindow(period, now);
        if (window.resetsAt === null) throw new Error('calendar periods reset');
        expect(window.start).toBeLessThanOrEqual(now);
        expect(now).toBeLessThan(window.resetsAt);
        expect(periodWindow(period, window.resetsAt).start).toBe(window.resetsAt);
        expect(periodWindow(period, window.resetsAt - 1).start).toBe(window.start);
      }),
    );
  });
});

describe('budgetKey', () => {
  it('names the counter a call charges: whose, which period, which occurrence', () => {
    expect(
      budgetKey({ scope: 'player', id: 'player-42', period: 'day', nowEpochMs: at('2025-03-14T10:00:00Z') }),
    ).toEqual({ scope: 'player', id: 'player-42', period: 'day', periodStart: at('2025-03-14T00:00:00Z') });
  });

  it('gives calls in the same period the same key and a new period a new one', () => {
    const key = (iso: string) =>
      budgetKey({ scope: 'tenant', id: 'studio', period: 'month', nowEpochMs: at(iso) });
    expect(key('2025-03-01T00:00:00Z')).toEqual(key('2025-03-31T23:59:59Z'));
    expect(key('2025-04-01T00:00:00Z')).not.toEqual(key('2025-03-31T23:59:59Z'));
  });

  it('keeps one lifetime key forever', () => {
    const key = (iso: string) =>
      budgetKey({ scope: 'global', id: 'global', period: 'lifetime', nowEpochMs: at(iso) });
    expect(key('2030-01-01T00:00:00Z')).toEqual(key('2020-06-15T12:00:00Z'));
    expect(key('2030-01-01T00:00:00Z').periodStart).toBe(0);
  });

  it('has a window for every period', () => {
    for (const period of budgetPeriods) expect(periodWindow(period, 0).start).toBeLessThanOrEqual(0);
  });

  it('refuses an empty id, which would pool every player into one budget', () => {
    expect(() => budgetKey({ scope: 'session', id: '', period: 'day', nowEpochMs: 0 })).toThrow(
      /non-empty id/,
    );
  });
});
