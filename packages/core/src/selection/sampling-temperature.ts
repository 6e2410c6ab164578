import type { RiskRule, RoutingPolicy } from '../registry/routing-policy.ts';

/**
 * The sampling temperature for a request: the policy's temperature range interpolated by the
 * creativity knob, then capped by the risk rule's ceiling, so a distressed player never gets a
 * high-temperature answer however creative the scene. Rounded to three decimals for readable
 * decisions, and kept inside the range and under the cap after rounding, so both always hold exactly.
 */
export function samplingTemperature(policy: RoutingPolicy, riskRule: RiskRule, creativity: number): number {
  const knob = creativity > 1 ? 1 : creativity > 0 ? creativity : 0;
  const { min, max } = policy.temperatureRange;
  const rounded = Math.round((min + (max - min) * knob) * 1000) / 1000;
  const inRange = Math.min(Math.max(rounded, Math.min(min, max)), Math.max(min, max));
  return Math.min(inRange, riskRule.maxTemperature);
}
