import { describe, expect, it } from 'vitest';
import { price, type ModelPrice } from '@switchboard/core';
import {
  CANONICAL_ANSWER,
  CANONICAL_ANSWER_TOKENS,
  CANONICAL_TOOL_ARGUMENTS,
} from '@switchboard/provider-sim/testing';
import {
  readAsCaller,
  sim,
  testDecision,
  testModel,
  testRegistry,
  testRequest,
  testRun,
} from './__fixtures__/engine-fixtures.ts';
import { simAdapters } from './__fixtures__/engine-test-kit.ts';

const testPrice: ModelPrice = {
  inputPerMillionMicros: 1_000_000,
  outputPerMillionMicros: 2_000_000,
  version: 'test-prices-1',
};

describe('the execution result', () => {
  it('lists every attempt with outcome, timings, usage and cost, and bills only what was reported', async () => {
    const execution = testRun().execute({
      retry: { backoffMs: 10 },
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b')]),
      adapters: simAdapters({ a: 'unavailable', b: 'healthy' }),
    });
    const result = await execution.result;
    const [failed, answered] = result.attempts;

    expect(failed).toMatchObject({
      modelId: 'a',
      provider: 'sim',
      outcome: 'overloaded',
      billed: false,
      usage: undefined,
      cost: undefined,
    });
    expect(failed!.error?.kind).toBe('overloaded');
    expect(answered).toMatchObject({ modelId: 'b', outcome: 'ok', billed: true, error: undefined });
    expect(answered!.usage?.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
    expect(answered!.cost).toEqual(price(answered!.usage!, testPrice));
    expect(answered!.startedAt).toBeLessThanOrEqual(answered!.headersAt!);
    expect(answered!.headersAt!).toBeLessThanOrEqual(answered!.firstTokenAt!);
    expect(answered!.firstTokenAt!).toBeLessThanOrEqual(answered!.endedAt);
    expect(answered!.outputCharacters).toBe(CANONICAL_ANSWER.length);

    expect(result).toMatchObject({
      text: CANONICAL_ANSWER,
      toolCalls: [],
      finishReason: { unified: 'stop' },
      answeredBy: 'b',
      contributors: ['b'],
      fallback: undefined,
    });
    expect(result.usage.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
    expect(result.cost).toEqual({ micros: (answered!.cost as { micros: number }).micros, complete: true });
    expect(result.decision.candidates.map((candidate) => candidate.modelId)).toEqual(['a', 'b']);
  });

  it('sums the usage of every model that contributed to a handed-off answer', async () => {
    const result = await testRun().execute({
      decision: testDecision(['a', 'b']),
      registry: testRegistry([testModel('a'), testModel('b', { assistantPrefill: true })]),
      adapters: simAdapters({ a: 'cut-after-20', b: 'healthy' }),
    }).result;
    const [cut, continued] = result.attempts;
    expect(cut!.billed).toBe(false);
    expect(result.usage).toEqual({
      inputTokens: continued!.usage!.inputTokens,
      outputTokens: continued!.usage!.outputTokens,
      raw: continued!.usage!.raw,
    });
    expect(result.contributors).toEqual(['a', 'b']);
  });

  it('reports a length-limited answer as `length`, never as complete', async () => {
    const result = await testRun().execute({
      request: { ...testRequest, maxOutputTokens: 5 },
      decision: testDecision(['a']),
      registry: testRegistry([testModel('a')]),
      adapters: new Map([['a', sim('a', 'healthy')]]),
    }).result;
    expect(result.finishReason.unified).toBe('length');
    expect(result.text).toBe(CANONICAL_ANSWER_TOKENS.slice(0, 5).join(''));
  });

  it('delivers tool calls complete, after the text, from the model that answered', async () => {
    const execution = testRun().execute({
      request: {
        ...testRequest,
        tools: [{ name: 'set_scene', parameters: { type: 'object' } }],
        toolChoice: 'required',
      },
      decision: testDecision(['a']),
      registry: testRegistry([testModel('a')]),
      adapters: new Map([['a', sim('a', 'healthy-tools')]]),
    });
    const view = await readAsCaller(execution);
    const result = await execution.result;
    expect(view.parts.map((part) => part.type)).toEqual(['tool-call', 'finish']);
    expect(result.toolCalls).toEqual([
      { id: expect.any(String), name: 'set_scene', arguments: CANONICAL_TOOL_ARGUMENTS },
    ]);
    expect(result.finishReason.unified).toBe('tool-calls');
    expect(result.contributors).toEqual(['a']);
  });

  it('calls a model that cannot stream through doGenerate, under the headers deadline', async () => {
    const result = await testRun().execute({
      decision: testDecision(['a']),
      registry: testRegistry([testModel('a', { streaming: false })]),
      adapters: new Map([['a', sim('a', 'healthy')]]),
    }).result;
    expect(result.text).toBe(CANONICAL_ANSWER);
    expect(result.attempts[0]!.usage?.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
  });

  it('applies the decision sampling parameters unless the request sets its own, clamped to the model', async () => {
    const seen: { temperature?: number | undefined; maxOutputTokens?: number | undefined }[] = [];
    const inner = sim('a', 'healthy');
    const spy = {
      ...inner,
      doStream: (request: Parameters<typeof inner.doStream>[0]) => {
        seen.push({ temperature: request.temperature, maxOutputTokens: request.maxOutputTokens });
        return inner.doStream(request);
      },
    };
    await testRun().execute({
      decision: testDecision(['a']),
      registry: testRegistry([testModel('a', { maxOutputTokens: 300 })]),
      adapters: new Map([['a', spy]]),
    }).result;
    expect(seen).toEqual([{ temperature: 0.7, maxOutputTokens: 300 }]);
  });
});
