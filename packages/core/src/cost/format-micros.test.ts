import { describe, expect, it } from 'vitest';
import { formatCost, formatMicros } from './format-micros.ts';

describe('formatMicros', () => {
  it.each([
    [3_100, '$0.003100'],
    [0, '$0.000000'],
    [1, '$0.000001'],
    [12_345_678, '$12.345678'],
    [-2_500, '-$0.002500'],
    [9_007_199_254_740_991, '$9007199254.740991'],
  ])('shows %i micro-dollars as %s', (micros, shown) => {
    expect(formatMicros(micros)).toBe(shown);
  });

  it('rounds a fractional amount to the nearest micro-dollar', () => {
    expect(formatMicros(2.6)).toBe('$0.000003');
  });

  it('refuses a non-number instead of showing "$NaN"', () => {
    expect(() => formatMicros(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatCost', () => {
  it('shows a known cost as dollars and an unknown one as unknown, never as $0', () => {
    expect(formatCost({ status: 'known', micros: 3_100, priceVersion: 'v1' })).toBe('$0.003100');
    expect(formatCost({ status: 'unknown', reason: 'no-price', priceVersion: undefined })).toBe(
      'unknown (no price)',
    );
    expect(formatCost({ status: 'unknown', reason: 'no-usage', priceVersion: 'v1' })).toBe(
      'unknown (no usage reported)',
    );
  });
});
