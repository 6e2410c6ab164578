import type { CircuitConfig } from './circuit-config.ts';

/**
 * How long the circuit stays open on its `openCount`-th opening in a row:
 * `baseCooldownMs × cooldownMultiplier^(openCount − 1)`, never more than `maxCooldownMs`.
 * A Retry-After may keep the circuit open longer; see `transition`.
 */
export function circuitCooldownMs(openCount: number, config: CircuitConfig): number {
  const exponent = Math.max(0, openCount - 1);
  // A large exponent overflows to Infinity, which the cap turns back into a finite number.
  const grown = config.baseCooldownMs * config.cooldownMultiplier ** exponent;
  return Math.min(config.maxCooldownMs, grown);
}
