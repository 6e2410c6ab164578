import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER_TOKENS } from '@switchboard/provider-sim/testing';
import { crisisFallbackText, defaultCrisisFallback } from './crisis-fallback.ts';
import { isExecutionError } from './execution-error.ts';
import {
  readAsCaller,
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRun,
  virtualTime,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters } from './__fixtures__/engine-test-kit.ts';

const models = [testModel('a'), testModel('b'), testModel('c')];

describe('crisis fail-safe', () => {
  it('answers a player at crisis risk with the safe message and crisis resources when every model fails', async () => {
    const run = testRun();
    const execution = run.execute({
      decision: testDecision(['a', 'b'], 'crisis'),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'unavailable', b: 'content-policy' }),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    expect(view.error).toBeUndefined();
    expect(result.fallback).toBe('safe-message');
    expect(result.text).toBe(crisisFallbackText(defaultCrisisFallback));
    expect(view.text).toBe(result.text);
    expect(result.crisisResources).toEqual(defaultCrisisFallback.resources);
    expect(result.answeredBy).toBeUndefined();
    expect(result.failure?.kind).toBe('content_filter');
    expect(view.parts.at(-1)).toMatchObject({ type: 'finish', fallback: 'safe-message' });
    expect(result.text).toMatch(/emergency/i);
    expect(result.text).not.toMatch(/\d{3}/);
    expect(run.events.at(-1)).toMatchObject({ type: 'execution-end', outcome: 'safe-message' });
  });

  it('uses the configured message and resources', async () => {
    const result = await testRun().execute({
      decision: testDecision(['a'], 'crisis'),
      registry: testRegistry(models),
      crisisFallback: {
        message: 'You are not alone.',
        resources: ['Call the studio helpline on 0800 000 000.'],
      },
      adapters: new Map([['a', sim('a', 'auth-error')]]),
    }).result;
    expect(result.text).toBe('You are not alone.\n\n- Call the studio helpline on 0800 000 000.');
    expect(result.crisisResources).toEqual(['Call the studio helpline on 0800 000 000.']);
  });

  it('delivers the safe message inside the deadline, stopping attempts early enough to do so', async () => {
    const { clock, virtual } = virtualTime();
    const execution = testRun().execute({
      clock,
      deadlineMs: 400,
      crisisReserveMs: 50,
      decision: testDecision(['a', 'b', 'c'], 'crisis'),
      registry: testRegistry(models, { timeouts: { firstTokenMs: 150 } }),
      adapters: simAdapters(
        { a: 'never-answers', b: 'never-answers', c: 'never-answers' },
        { clock: virtual },
      ),
    });
    const result = await execution.result;
    expect(result.fallback).toBe('safe-message');
    expect(result.endedAt - result.startedAt).toBe(350);
    expect(result.attempts.map((attempt) => attempt.deadline)).toEqual([
      'first-token',
      'first-token',
      'total',
    ]);
  });

  it('keeps real time inside the deadline too', async () => {
    const started = Date.now();
    const result = await testRun().execute({
      deadlineMs: 300,
      decision: testDecision(['a', 'b'], 'crisis'),
      registry: testRegistry(models, { timeouts: { firstTokenMs: 150 } }),
      adapters: simAdapters({ a: 'never-answers', b: 'never-answers' }),
    }).result;
    expect(result.fallback).toBe('safe-message');
    expect(Date.now() - started).toBeLessThan(300 + 150);
  });

  it('adds the safe message after a paragraph break when part of an answer was already delivered', async () => {
    const execution = testRun().execute({
      decision: testDecision(['a', 'b'], 'crisis'),
      registry: testRegistry(models),
      adapters: simAdapters({ a: 'cut-after-5', b: 'unavailable' }),
    });
    const view = await readAsCaller(execution);
    const partial = CANONICAL_ANSWER_TOKENS.slice(0, 5).join('');
    expect(view.text).toBe(`${partial}\n\n${crisisFallbackText(defaultCrisisFallback)}`);
    expect((await execution.result).fallback).toBe('safe-message');
  });

  it('answers with the safe message when the decision has no candidate at all', async () => {
    const decision = { ...testDecision([], 'crisis'), noEligibleModel: { reason: 'no model qualifies' } };
    const result = await testRun().execute({ decision, registry: testRegistry(models), adapters: new Map() })
      .result;
    expect(result.fallback).toBe('safe-message');
    expect(result.attempts).toEqual([]);
  });

  it('reports an error, not a safe message, below crisis risk', async () => {
    const error = await testRun()
      .execute({
        decision: testDecision(['a'], 'elevated'),
        registry: testRegistry(models),
        adapters: new Map([['a', sim('a', 'unavailable')]]),
      })
      .result.catch((caught: unknown) => caught);
    expect(isExecutionError(error) && error.kind).toBe('overloaded');
  });
});
