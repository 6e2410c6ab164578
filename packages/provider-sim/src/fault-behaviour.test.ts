import { describe, expect, it } from 'vitest';
import { faultBehaviourCatalogue, parseFaultModel } from './fault-behaviour.ts';

describe('parseFaultModel', () => {
  it('splits the behaviour from its #scope and keeps the full name as the state key', () => {
    expect(parseFaultModel('server-error-once#t7')).toEqual({
      name: 'server-error-once#t7',
      behaviourName: 'server-error-once',
      scope: 't7',
      behaviour: { type: 'server-error-once' },
    });
    expect(parseFaultModel('healthy').scope).toBeUndefined();
  });

  it('reads the number of parameterised behaviours', () => {
    expect(parseFaultModel('cut-after-12').behaviour).toEqual({ type: 'cut-after', tokens: 12 });
    expect(parseFaultModel('unavailable-for-250#x').behaviour).toEqual({
      type: 'unavailable-for',
      durationMs: 250,
    });
    expect(parseFaultModel('rate-limit-retry-after').behaviour).toEqual({
      type: 'rate-limit-retry-after',
      retryAfterMs: 1000,
    });
    expect(parseFaultModel('rate-limit-retry-after-2500').behaviour).toEqual({
      type: 'rate-limit-retry-after',
      retryAfterMs: 2500,
    });
  });

  it('does not guess: unknown or malformed names have no behaviour (the server answers 404)', () => {
    for (const name of [
      'gpt-4o',
      'cut-after-',
      'cut-after-x',
      'healthy-ish',
      'Healthy',
      'slow-first-token--5',
    ]) {
      expect(parseFaultModel(name).behaviour, name).toBeUndefined();
    }
  });

  it('understands every behaviour the catalogue advertises', () => {
    for (const entry of faultBehaviourCatalogue) {
      const name = entry.name.replace('<ms>', '100').replace('<n>', '3');
      expect(parseFaultModel(`${name}#catalogue`).behaviour, name).toBeDefined();
    }
  });
});
