import { describe, expect, it } from 'vitest';
import { SwitchboardValidationError } from '../validation.ts';
import { isHighRisk, parseTherapeuticContext } from './therapeutic-context.ts';

describe('parseTherapeuticContext', () => {
  it('applies the documented defaults to an empty context', () => {
    expect(parseTherapeuticContext({})).toEqual({
      taskType: 'general_chat',
      riskLevel: 'none',
      emotionalIntensity: 0,
      sessionPhase: 'exploration',
      creativity: 0.5,
      privacy: 'standard',
    });
    expect(parseTherapeuticContext(undefined).taskType).toBe('general_chat');
  });

  it('keeps what the game sent', () => {
    const context = parseTherapeuticContext({
      taskType: 'therapeutic_response',
      riskLevel: 'crisis',
      creativity: 0.1,
      privacy: 'sensitive',
      playerId: 'player-7',
      costCeilingMicros: 5000,
    });
    expect(context).toMatchObject({
      taskType: 'therapeutic_response',
      riskLevel: 'crisis',
      playerId: 'player-7',
    });
  });

  it('rejects an invalid context with an error naming each bad field', () => {
    let caught: unknown;
    try {
      parseTherapeuticContext({ taskType: 'poetry', creativity: 3, latencyBudgetMs: -1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SwitchboardValidationError);
    const error = caught as SwitchboardValidationError;
    expect(error.message).toContain('taskType');
    expect(error.message).toContain('creativity');
    expect(error.message).toContain('latencyBudgetMs');
    expect(error.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'creativity',
      'latencyBudgetMs',
      'taskType',
    ]);
  });

  it('rejects unknown fields so a typo is not silently ignored', () => {
    expect(() => parseTherapeuticContext({ riskLevl: 'crisis' })).toThrow(/riskLevl/);
  });

  it('treats elevated and crisis as high risk', () => {
    expect([isHighRisk('none'), isHighRisk('low'), isHighRisk('elevated'), isHighRisk('crisis')]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
