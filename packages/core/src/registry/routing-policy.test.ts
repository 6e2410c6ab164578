import { describe, expect, it } from 'vitest';
import { routingPolicySchema } from './routing-policy.ts';

describe('routingPolicySchema', () => {
  it('gives a policy with only a name safe defaults at every risk level', () => {
    const policy = routingPolicySchema.parse({ name: 'default' });
    expect(policy.riskRules.crisis).toEqual({ minSafetyTier: 3, maxTemperature: 0.3 });
    expect(policy.riskRules.elevated.minSafetyTier).toBe(2);
    expect(policy.appliesTo.taskTypes).toEqual([]);
    expect(policy.denyModels).toEqual([]);
    expect(policy.allowModels).toBeUndefined();
    expect(policy.timeouts).toEqual({
      headersMs: 10_000,
      firstTokenMs: 8_000,
      idleMs: 5_000,
      totalMs: 30_000,
    });
  });

  it('names the path of each wrong field', () => {
    const result = routingPolicySchema.safeParse({
      name: 'narrative',
      appliesTo: { taskTypes: ['poetry'] },
      riskRules: {
        none: { minSafetyTier: 0, maxTemperature: 3 },
        low: { minSafetyTier: 1, maxTemperature: 1 },
        elevated: { minSafetyTier: 5, maxTemperature: 0.7 },
        crisis: { minSafetyTier: 3, maxTemperature: 0.3 },
      },
      explorationRate: 1.5,
      timeouts: { firstTokenMs: -1 },
    });
    const paths = (result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual([
      'appliesTo.taskTypes.0',
      'explorationRate',
      'riskRules.elevated.minSafetyTier',
      'riskRules.none.maxTemperature',
      'timeouts.firstTokenMs',
    ]);
  });

  it('requires a rule for every risk level once rules are given', () => {
    const result = routingPolicySchema.safeParse({
      name: 'partial',
      riskRules: { none: { minSafetyTier: 0, maxTemperature: 1 } },
    });
    expect((result.error?.issues ?? []).map((issue) => issue.path.join('.')).sort()).toEqual([
      'riskRules.crisis',
      'riskRules.elevated',
      'riskRules.low',
    ]);
  });

  it('rejects a temperature range that runs backwards', () => {
    const result = routingPolicySchema.safeParse({ name: 'p', temperatureRange: { min: 1, max: 0.2 } });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['temperatureRange.max']);
  });
});
