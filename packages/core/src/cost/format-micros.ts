import type { Cost } from './price.ts';

const microsPerDollar = 1_000_000;

/**
 * Shows integer micro-dollars as dollars with all six decimals (`3100` is `$0.003100`), so a cheap
 * call never displays as `$0.00`. Computed with integers, not floats, so the digits are exact; a
 * fractional input is rounded to the nearest micro-dollar first.
 */
export function formatMicros(micros: number): string {
  if (!Number.isFinite(micros))
    throw new RangeError(`Cannot format ${micros} as an amount of micro-dollars.`);
  const whole = Math.round(micros);
  const sign = whole < 0 ? '-' : '';
  const absolute = Math.abs(whole);
  const dollars = Math.floor(absolute / microsPerDollar);
  const fraction = String(absolute % microsPerDollar).padStart(6, '0');
  return `${sign}$${dollars}.${fraction}`;
}

/** Shows a {@link Cost}; an unknown cost says why instead of showing an amount, never `$0`. */
export function formatCost(cost: Cost): string {
  if (cost.status === 'known') return formatMicros(cost.micros);
  return cost.reason === 'no-price' ? 'unknown (no price)' : 'unknown (no usage reported)';
}
