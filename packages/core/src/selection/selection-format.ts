/**
 * Number formatting for the sentences in a decision. Written by hand rather than with
 * `toLocaleString`, which depends on the host's locale data and costs microseconds a call: a
 * decision may carry a reason for each of hundreds of rejected models.
 */

/** An integer with thousands separators: `9000` → `9,000`. */
export function formatCount(value: number): string {
  const whole = Math.round(value);
  const digits = String(Math.abs(whole));
  if (digits.length <= 3) return whole < 0 ? `-${digits}` : digits;
  const firstGroup = digits.length % 3 || 3;
  let text = digits.slice(0, firstGroup);
  for (let position = firstGroup; position < digits.length; position += 3) {
    text += `,${digits.slice(position, position + 3)}`;
  }
  return whole < 0 ? `-${text}` : text;
}

/**
 * Integer micro-dollars as exact dollars without trailing zeros: `3100` → `$0.0031`,
 * `10001` → `$0.010001`. Exact, so that a cost just over a ceiling never prints equal to it.
 */
export function formatDollars(micros: number): string {
  const whole = Math.round(micros);
  if (whole <= 0) return whole === 0 ? '$0' : `-${formatDollars(-whole)}`;
  const dollars = Math.floor(whole / 1_000_000);
  const fraction = whole - dollars * 1_000_000;
  const dollarText = dollars < 1000 ? String(dollars) : formatCount(dollars);
  if (fraction === 0) return `$${dollarText}`;
  // "1" followed by the six fraction digits, zero-padded; the leading "1" is cut off below.
  const digits = String(fraction + 1_000_000);
  let end = 7;
  while (digits.charCodeAt(end - 1) === 48) end--;
  return `$${dollarText}.${digits.slice(1, end)}`;
}

/** Milliseconds for people: `850 ms` below a second, `1.2 s` from there on. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 999.5) return `${Math.round(milliseconds)} ms`;
  const tenths = Math.round(milliseconds / 100);
  return `${Math.floor(tenths / 10)}.${tenths % 10} s`;
}

/** A 0..1 share as a whole percentage: `0.123` → `12%`. */
export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
