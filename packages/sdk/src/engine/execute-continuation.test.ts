import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER, CANONICAL_ANSWER_TOKENS } from '@switchboard/provider-sim/testing';
import { isExecutionError } from './execution-error.ts';
import {
  readAsCaller,
  scripted,
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRun,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters } from './__fixtures__/engine-test-kit.ts';

const first20 = CANONICAL_ANSWER_TOKENS.slice(0, 20).join('');

describe('mid-stream failover', () => {
  it('continues a cut answer on the next model with prefill, seamlessly and exactly once', async () => {
    const run = testRun();
    const b = scripted([sim('b', 'healthy')]);
    const execution = run.execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: new Map([
        ['a', sim('a', 'cut-after-20')],
        ['b', b],
      ]),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;

    expect(view.text).toBe(CANONICAL_ANSWER);
    expect(result.text).toBe(CANONICAL_ANSWER);
    expect(view.parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'stop' } });
    expect(result.contributors).toEqual(['a', 'b']);
    expect(result.answeredBy).toBe('b');
    expect(
      result.attempts.map((attempt) => [
        attempt.modelId,
        attempt.outcome,
        attempt.trigger,
        attempt.continuation,
      ]),
    ).toEqual([
      ['a', 'stream_cut', 'initial', undefined],
      ['b', 'ok', 'handoff', 'prefill'],
    ]);
    const lastMessage = b.calls[0]?.messages.at(-1);
    expect(lastMessage).toEqual({ role: 'assistant', content: first20.trimEnd() });
    const handoff = run.events.find((event) => event.type === 'handoff-start');
    expect(handoff).toMatchObject({
      fromModelId: 'a',
      toModelId: 'b',
      cause: 'stream_cut',
      deliveredCharacters: first20.length,
      mode: 'prefill',
    });
  });

  it('continues by instruction when the next model takes no prefill, without repeating the delivered text', async () => {
    const b = scripted([sim('b', 'healthy')]);
    const execution = testRun().execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: false })]),
      adapters: new Map([
        ['a', sim('a', 'cut-after-20')],
        ['b', b],
      ]),
    });
    const view = await readAsCaller(execution);
    expect(view.text).toBe(CANONICAL_ANSWER);
    expect((await execution.result).attempts[1]!.continuation).toBe('instruct');
    expect(b.calls[0]?.messages.at(-1)?.role).toBe('user');
  });

  it('retries without prefill when the fallback rejects it, and the answer still comes out whole', async () => {
    const execution = testRun().execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: simAdapters({ a: 'cut-after-20', b: 'rejects-prefill' }),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    expect(view.text).toBe(CANONICAL_ANSWER);
    expect(
      result.attempts.map((attempt) => [attempt.modelId, attempt.outcome, attempt.continuation]),
    ).toEqual([
      ['a', 'stream_cut', undefined],
      ['b', 'prefill_unsupported', 'prefill'],
      ['b', 'ok', 'instruct'],
    ]);
    expect(result.contributors).toEqual(['a', 'b']);
  });

  it('tells the caller about the original cut, never about a rejected prefill, when nothing can continue', async () => {
    const execution = testRun().execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: new Map([
        ['a', sim('a', 'cut-after-20')],
        ['b', scripted([sim('b', 'rejects-prefill'), sim('b', 'unavailable')])],
      ]),
    });
    const view = await readAsCaller(execution);
    expect(view.text).toBe(first20);
    expect(view.parts.some((part) => part.type === 'finish')).toBe(false);
    expect(isExecutionError(view.error)).toBe(true);
    if (!isExecutionError(view.error)) return;
    expect(view.error.kind).toBe('stream_cut');
    expect(view.error.partialText).toBe(first20);
    expect(view.error.contributors).toEqual(['a']);
    expect(view.error.message).toContain('not a complete answer');
    await expect(execution.result).rejects.toBe(view.error);
  });

  it('hands off twice when the continuation is cut too, and the stitched answer is still exact', async () => {
    const execution = testRun().execute({
      decision: testDecision(['a', 'b', 'c']),
      registry: testRegistry([
        testModel('a'),
        testModel('b', { assistantPrefill: true }),
        testModel('c', { assistantPrefill: false }),
      ]),
      adapters: simAdapters({ a: 'cut-after-10', b: 'cut-after-15', c: 'healthy' }),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    expect(view.text).toBe(CANONICAL_ANSWER);
    expect(result.contributors).toEqual(['a', 'b', 'c']);
  });
});
