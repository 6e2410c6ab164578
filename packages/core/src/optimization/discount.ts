/**
 * Weights below this are dropped to zero when evidence decays. A billionth of one observation
 * changes no estimate, and letting old weights decay towards the subnormal range would slow every
 * later multiplication by orders of magnitude.
 */
export const negligibleWeight = 1e-9;

/**
 * How much of its weight evidence recorded at `fromMs` keeps at `toMs`: 2^(−elapsed / half-life).
 * Exponential decay is what makes discounting order-free and mergeable: evidence decayed from `a`
 * to `b` and then from `b` to `c` weighs exactly what it would decayed from `a` to `c` at once, so
 * states recorded in different orders or on different hosts agree once brought to a common time.
 * Returns 1 when `toMs` is not later than `fromMs` (evidence never grows by being read early).
 */
export function decayFactor(fromMs: number, toMs: number, halfLifeMs: number): number {
  if (!(toMs > fromMs)) return 1;
  return Math.pow(2, -(toMs - fromMs) / halfLifeMs);
}

/** `weight × factor`, or zero when that is negligible. */
export function decayed(weight: number, factor: number): number {
  const result = weight * factor;
  return result < negligibleWeight ? 0 : result;
}
