import { describe, expect, it } from 'vitest';
import { firstTokenDeadlineMs } from './first-token-deadline.ts';

const options = { factor: 3, minimumMs: 1_000 };

describe('firstTokenDeadlineMs', () => {
  it("is the policy's deadline without observations", () => {
    expect(firstTokenDeadlineMs(8_000, undefined, options)).toBe(8_000);
    expect(firstTokenDeadlineMs(8_000, Number.NaN, options)).toBe(8_000);
  });

  it('is the observed p95 × factor, between the minimum and the policy', () => {
    expect(firstTokenDeadlineMs(8_000, 900, options)).toBe(2_700);
    expect(firstTokenDeadlineMs(8_000, 100, options)).toBe(1_000);
    expect(firstTokenDeadlineMs(8_000, 5_000, options)).toBe(8_000);
  });
});
