import { describe, expect, it } from 'vitest';
import { formatCount, formatDollars, formatDuration, formatPercent } from './selection-format.ts';

describe('selection number formatting', () => {
  it('groups thousands in token counts', () => {
    expect([0, 999, 1_000, 9_000, 1_234_567, -8_192].map(formatCount)).toEqual([
      '0',
      '999',
      '1,000',
      '9,000',
      '1,234,567',
      '-8,192',
    ]);
  });

  it('prints micro-dollars as exact dollars, so a cost just over a ceiling never prints equal to it', () => {
    expect([0, 1, 3_100, 10_000, 10_001, 1_000_000, 12_345_678, 2_500_000_000].map(formatDollars)).toEqual([
      '$0',
      '$0.000001',
      '$0.0031',
      '$0.01',
      '$0.010001',
      '$1',
      '$12.345678',
      '$2,500',
    ]);
  });

  it('prints durations in milliseconds below a second and in tenths of seconds above', () => {
    expect([0, 850, 999.4, 999.6, 1_234, 37_133].map(formatDuration)).toEqual([
      '0 ms',
      '850 ms',
      '999 ms',
      '1.0 s',
      '1.2 s',
      '37.1 s',
    ]);
    expect(formatPercent(0.123)).toBe('12%');
  });
});
