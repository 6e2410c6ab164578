import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { usdPerTokenToMicrosPerMillion } from './usd-per-token.ts';

describe('usdPerTokenToMicrosPerMillion', () => {
  it('converts OpenRouter price strings exactly', () => {
    expect(usdPerTokenToMicrosPerMillion('0.00000015')).toBe(150_000);
    expect(usdPerTokenToMicrosPerMillion('0.000003')).toBe(3_000_000);
    expect(usdPerTokenToMicrosPerMillion('0.0000000375')).toBe(37_500);
    expect(usdPerTokenToMicrosPerMillion('0')).toBe(0);
    expect(usdPerTokenToMicrosPerMillion('1.5e-7')).toBe(150_000);
    expect(usdPerTokenToMicrosPerMillion(0.00001)).toBe(10_000_000);
  });

  it('rounds half up only below a micro-dollar per million tokens', () => {
    expect(usdPerTokenToMicrosPerMillion('0.0000000000004')).toBe(0);
    expect(usdPerTokenToMicrosPerMillion('0.0000000000005')).toBe(1);
    expect(usdPerTokenToMicrosPerMillion('0.00000012345678')).toBe(123_457);
  });

  it('refuses negative, empty and non-numeric prices', () => {
    expect(usdPerTokenToMicrosPerMillion('-1')).toBeUndefined();
    expect(usdPerTokenToMicrosPerMillion('')).toBeUndefined();
    expect(usdPerTokenToMicrosPerMillion('.')).toBeUndefined();
    expect(usdPerTokenToMicrosPerMillion('free')).toBeUndefined();
    expect(usdPerTokenToMicrosPerMillion(null)).toBeUndefined();
  });

  it('agrees with the decimal value for any whole number of micro-dollars per million', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (micros) => {
        const text = String(micros).padStart(13, '0');
        const usd = `${text.slice(0, -12)}.${text.slice(-12)}`;
        expect(usdPerTokenToMicrosPerMillion(usd)).toBe(micros);
      }),
    );
  });

  it("converts LiteLLM's float prices exactly, recovering any whole number of micro-dollars per million", () => {
    expect(usdPerTokenToMicrosPerMillion(2.5e-6)).toBe(2_500_000);
    expect(usdPerTokenToMicrosPerMillion(3.961e-6)).toBe(3_961_000);
    expect(usdPerTokenToMicrosPerMillion(3.625e-9)).toBe(3_625);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (micros) => {
        expect(usdPerTokenToMicrosPerMillion(micros / 1e12)).toBe(micros);
        expect(usdPerTokenToMicrosPerMillion(Number(`${micros}e-12`))).toBe(micros);
      }),
      { numRuns: 2_000 },
    );
  });
});
