import { describe, expect, it } from 'vitest';
import { SwitchboardValidationError } from '../validation.ts';
import { resolvePolicy } from './resolve-policy.ts';
import { testModel, testSnapshot } from './testing/test-registry.ts';

describe('resolvePolicy', () => {
  const snapshot = testSnapshot({
    models: [testModel('m')],
    policies: [
      { name: 'story', appliesTo: { taskTypes: ['narrative_generation', 'world_building'] } },
      { name: 'also-story', appliesTo: { taskTypes: ['narrative_generation'] } },
      { name: 'default', explorationRate: 0.05 },
    ],
  });

  it('returns the named policy when a name is given', () => {
    expect(resolvePolicy(snapshot, 'narrative_generation', 'default').name).toBe('default');
  });

  it('returns the first policy whose appliesTo lists the task', () => {
    expect(resolvePolicy(snapshot, 'narrative_generation').name).toBe('story');
    expect(resolvePolicy(snapshot, 'world_building').name).toBe('story');
  });

  it('returns the policy named default for a task no policy lists', () => {
    expect(resolvePolicy(snapshot, 'summarization').explorationRate).toBe(0.05);
  });

  it('returns the built-in default, with schema defaults, when the registry has no default', () => {
    const bare = testSnapshot({ models: [testModel('m')], policies: [{ name: 'story' }] });
    const policy = resolvePolicy(bare, 'general_chat');
    expect(policy.name).toBe('default');
    expect(policy.riskRules.crisis.minSafetyTier).toBe(3);
    expect(resolvePolicy(bare, 'general_chat', 'default')).toBe(policy);
  });

  it('throws a validation error that names the unknown policy and lists the known ones', () => {
    try {
      resolvePolicy(snapshot, 'general_chat', 'poetry');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SwitchboardValidationError);
      expect((error as SwitchboardValidationError).message).toBe(
        'Unknown routing policy "poetry": registry version 1 has "story", "also-story", "default". ' +
          'Use one of these names, or leave the policy name unset to pick the policy by task type.',
      );
      expect((error as SwitchboardValidationError).issues[0]?.path).toEqual(['policyName']);
    }
  });
});
