const decimalPattern = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** 1 USD = 10^6 micro-dollars, and prices are per 10^6 tokens: a per-token USD price times 10^12. */
const scaleDigits = 12;

/**
 * Converts a USD-per-token price, as catalogs write it (OpenRouter's string `"0.00000015"`, LiteLLM's
 * number `1.5e-7`), to integer micro-dollars
 * per million tokens (`150000`), exactly: the decimal string is shifted with integer arithmetic, so
 * no binary floating-point error creeps in, and only a price finer than a micro-dollar per million
 * tokens is rounded (half up). Returns `undefined` for anything that is not a non-negative price
 * (OpenRouter writes `"-1"` for routers whose price depends on the model they pick).
 */
export function usdPerTokenToMicrosPerMillion(value: unknown): number | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = decimalPattern.exec(text.trim());
  if (match === null) return undefined;
  const integerDigits = match[1] ?? '';
  const fractionDigits = match[2] ?? '';
  if (integerDigits === '' && fractionDigits === '') return undefined;
  const digits = BigInt(`${integerDigits}${fractionDigits}` || '0');
  const shift = scaleDigits + Number(match[3] ?? '0') - fractionDigits.length;
  let micros: bigint;
  if (shift >= 0) {
    micros = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    micros = digits / divisor + ((digits % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return micros <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(micros) : undefined;
}
