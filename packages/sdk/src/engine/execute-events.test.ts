import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER_TOKENS } from '@switchboard/provider-sim/testing';
import {
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRequest,
  testRun,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters } from './__fixtures__/engine-test-kit.ts';

describe('engine events', () => {
  it('reports attempts, handoffs and the end with noun-action names, in order', async () => {
    const run = testRun();
    await run.execute({
      executionId: 'execution-1',
      decision: testDecision(['down', 'a', 'b']),
      registry: testRegistry([testModel('down'), testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: simAdapters({ a: 'cut-after-20', b: 'healthy' }),
    }).result;
    expect(run.events.map((event) => event.type)).toEqual([
      'candidate-skip',
      'attempt-start',
      'attempt-end',
      'handoff-start',
      'attempt-start',
      'attempt-end',
      'execution-end',
    ]);
    expect(run.events.every((event) => event.executionId === 'execution-1')).toBe(true);
    expect(run.events[0]).toMatchObject({ modelId: 'down', reason: 'no-adapter' });
    expect(run.events.at(-1)).toMatchObject({ outcome: 'ok', attempts: 2, errorKind: undefined });
  });

  it('never carries message content: no prompt and no answer text', async () => {
    const run = testRun();
    await run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: simAdapters({ a: 'cut-after-20', b: 'healthy' }),
    }).result;
    const serialised = JSON.stringify(run.events);
    for (const message of testRequest.messages) expect(serialised).not.toContain(message.content);
    for (const token of CANONICAL_ANSWER_TOKENS.filter((piece) => piece.trim().length >= 6)) {
      expect(serialised).not.toContain(token.trim());
    }
  });

  it('keeps answering when the event listener throws', async () => {
    const run = testRun();
    const result = await run.execute({
      onEvent: () => {
        throw new Error('telemetry is down');
      },
      decision: testDecision(['a']),
      registry: testRegistry([testModel('a')]),
      adapters: new Map([['a', sim('a', 'healthy')]]),
    }).result;
    expect(result.answeredBy).toBe('a');
  });
});
