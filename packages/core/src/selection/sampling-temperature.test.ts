import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riskLevels } from '../context/therapeutic-context.ts';
import { routingPolicySchema } from '../registry/routing-policy.ts';
import { samplingTemperature } from './sampling-temperature.ts';

describe('samplingTemperature', () => {
  it('interpolates the policy range by creativity', () => {
    const policy = routingPolicySchema.parse({ name: 'p', temperatureRange: { min: 0.2, max: 1 } });
    const loose = { minSafetyTier: 0 as const, maxTemperature: 2 };
    expect(samplingTemperature(policy, loose, 0)).toBe(0.2);
    expect(samplingTemperature(policy, loose, 0.25)).toBe(0.4);
    expect(samplingTemperature(policy, loose, 1)).toBe(1);
  });

  it('never exceeds the risk ceiling nor leaves the policy range, rounding included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.constantFrom(...riskLevels),
        (first, second, creativity, riskLevel) => {
          const [min, max] = [Math.min(first, second) / 1e6, Math.max(first, second) / 1e6];
          const policy = routingPolicySchema.parse({ name: 'p', temperatureRange: { min, max } });
          const rule = policy.riskRules[riskLevel];
          const temperature = samplingTemperature(policy, rule, creativity / 1_000);
          expect(temperature).toBeLessThanOrEqual(rule.maxTemperature);
          expect(temperature).toBeLessThanOrEqual(max);
          expect(temperature).toBeGreaterThanOrEqual(Math.min(min, rule.maxTemperature));
        },
      ),
    );
  });
});
