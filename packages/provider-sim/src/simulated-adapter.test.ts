import {
  isProviderError,
  modelSpecSchema,
  type ChatModelAdapterV1,
  type ChatRequest,
  type StreamPart,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createSimulatedAdapter } from './simulated-adapter.ts';
import { createSimulatedAdapterForModel } from './simulated-adapter-for-model.ts';
import { createVirtualClock, type VirtualClock } from './simulated-clock.ts';
import { simulatedProfiles } from './simulated-profiles.ts';
import { detectTextKind } from './simulated-text.ts';

function ask(user: string, system = 'You are the narrator of a gentle text adventure.'): ChatRequest {
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
  };
}

async function streamWithTimes(
  adapter: ChatModelAdapterV1,
  request: ChatRequest,
  clock: VirtualClock,
): Promise<{ part: StreamPart; at: number }[]> {
  const startedAt = clock.now();
  const parts: { part: StreamPart; at: number }[] = [];
  for await (const part of (await adapter.doStream(request)).stream)
    parts.push({ part, at: clock.now() - startedAt });
  return parts;
}

const median = (values: number[]): number =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;

describe('createSimulatedAdapter: text', () => {
  it('answers the same request identically and different requests differently', async () => {
    const adapter = createSimulatedAdapter({ clock: createVirtualClock() });
    const first = await adapter.doGenerate(ask('I open the door to the garden.'));
    const again = await createSimulatedAdapter({ clock: createVirtualClock() }).doGenerate(
      ask('I open the door to the garden.'),
    );
    expect(again.text).toBe(first.text);
    const others = await Promise.all(
      ['I climb the lighthouse stairs.', 'I sit by the harbour.', 'I knock on the attic door.'].map(
        async (text) => (await adapter.doGenerate(ask(text))).text,
      ),
    );
    expect(new Set([first.text, ...others]).size).toBeGreaterThan(1);
    const reseeded = createSimulatedAdapter({
      seed: 2,
      providerModel: 'creative-large',
      clock: createVirtualClock(),
    });
    const original = createSimulatedAdapter({
      seed: 1,
      providerModel: 'creative-large',
      clock: createVirtualClock(),
    });
    const request = ask('I open the door to the garden.');
    expect((await reseeded.doGenerate(request)).text).not.toBe((await original.doGenerate(request)).text);
  });

  it('writes readable sentences that pick up what the player said, never lorem ipsum', async () => {
    const adapter = createSimulatedAdapter({ providerModel: 'creative-large', clock: createVirtualClock() });
    const texts = await Promise.all(
      ['I open the door to the garden.', 'I look at the old lantern.', 'I walk toward the quiet pond.'].map(
        async (text) => (await adapter.doGenerate(ask(text))).text,
      ),
    );
    for (const text of texts) {
      expect(text).not.toMatch(/lorem|ipsum/i);
      expect(text).toMatch(/^[A-Z"].*[.?!"]$/s);
      expect(text.split(/[.?!]"?\s/).length).toBeGreaterThanOrEqual(4);
    }
  });

  it('tells narration, dialogue, choices, reflection, summaries and safety screens apart', async () => {
    const adapter = createSimulatedAdapter({ clock: createVirtualClock() });
    const text = async (request: ChatRequest): Promise<string> => (await adapter.doGenerate(request)).text;

    expect(detectTextKind(ask('I open the door.'))).toBe('narration');
    expect(await text(ask('I greet the old woman.', 'Write the dialogue of the innkeeper.'))).toContain('"');
    expect(await text(ask('What can I do now?', 'Offer the player three choices.'))).toMatch(
      /\n1\. .*\n2\. .*\n3\. /s,
    );
    const reflection = await text(
      ask('I feel lonely since my brother moved away.', 'Reflect what the player feels.'),
    );
    expect(reflection).toContain('your brother');
    expect(await text(ask('Please summarize the story.'))).toMatch(/^So far/);
  });

  it('answers a safety screen with a JSON verdict, also in JSON mode', async () => {
    const adapter = createSimulatedAdapter({ clock: createVirtualClock() });
    const screen = 'You are a safety screening classifier.';
    expect(JSON.parse((await adapter.doGenerate(ask('I open the door.', screen))).text)).toEqual({
      risk: 'none',
    });
    expect(JSON.parse((await adapter.doGenerate(ask('I want to hurt myself.', screen))).text)).toEqual({
      risk: 'crisis',
    });
    const jsonMode = await adapter.doGenerate({ ...ask('I feel hopeless.'), responseFormat: 'json' });
    expect(JSON.parse(jsonMode.text)).toEqual({ risk: 'elevated' });
  });

  it('stops at max tokens with a length finish, and at stop sequences with a stop finish', async () => {
    const adapter = createSimulatedAdapter({ providerModel: 'creative-large', clock: createVirtualClock() });
    const full = await adapter.doGenerate(ask('I open the door to the garden.'));
    const short = await adapter.doGenerate({ ...ask('I open the door to the garden.'), maxOutputTokens: 5 });
    expect(short.usage.outputTokens.total).toBe(5);
    expect(full.text.startsWith(short.text)).toBe(true);
    expect(short.finishReason).toEqual({ unified: 'length', raw: 'length' });
    const stopped = await adapter.doGenerate({ ...ask('I open the door to the garden.'), stop: ['.'] });
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf('.')));
    expect(stopped.finishReason.unified).toBe('stop');
  });
});

describe('createSimulatedAdapter: streaming, usage and latency', () => {
  it('streams token-sized deltas that join to the generated text, then a finish with usage', async () => {
    const clock = createVirtualClock();
    const adapter = createSimulatedAdapter({ clock });
    const request = ask('I open the door to the garden.');
    const whole = await adapter.doGenerate(request);
    const parts = (await streamWithTimes(adapter, request, clock)).map(({ part }) => part);
    const deltas = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : []));
    expect(deltas.join('')).toBe(whole.text);
    expect(deltas.length).toBeGreaterThan(5);
    expect(Math.max(...deltas.map((delta) => delta.length))).toBeLessThan(20);
    const finish = parts.at(-1);
    expect(finish?.type).toBe('finish');
    const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
    if (finish?.type === 'finish') {
      expect(finish.usage.inputTokens.total).toBe(Math.ceil(characters / 4));
      expect(finish.usage.outputTokens.total).toBe(deltas.length);
      expect(finish.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    }
  });

  it('paces the stream at the configured first-token time and tokens per second', async () => {
    const clock = createVirtualClock();
    const adapter = createSimulatedAdapter({ clock, timeToFirstTokenMs: 700, outputTokensPerSecond: 40 });
    const timed = await streamWithTimes(adapter, ask('I open the door.'), clock);
    const deltaTimes = timed.filter(({ part }) => part.type === 'text-delta').map(({ at }) => at);
    expect(deltaTimes[0]).toBe(700);
    expect(deltaTimes[1]).toBe(725);
    expect(deltaTimes.at(-1)).toBe(700 + (deltaTimes.length - 1) * 25);
  });

  it('gives the four profiles their documented latencies', () => {
    expect(simulatedProfiles['fast-small']).toMatchObject({
      timeToFirstTokenMs: 150,
      outputTokensPerSecond: 120,
    });
    expect(simulatedProfiles['creative-large']).toMatchObject({
      timeToFirstTokenMs: 700,
      outputTokensPerSecond: 40,
    });
    expect(simulatedProfiles['safety-tuned']).toMatchObject({
      timeToFirstTokenMs: 350,
      outputTokensPerSecond: 60,
    });
    expect(simulatedProfiles.local).toMatchObject({ timeToFirstTokenMs: 250, outputTokensPerSecond: 30 });
  });

  it('takes latency and limits from a registry model spec, with p50 as the median first token', async () => {
    const spec = modelSpecSchema.parse({
      id: 'sim/creative-large',
      provider: 'sim',
      providerModel: 'creative-large',
      contextWindow: 1000,
      maxOutputTokens: 12,
      price: null,
      safetyTier: 2,
      qualityPriors: { default: 0.8 },
      latencyPriors: { timeToFirstTokenP50Ms: 700, timeToFirstTokenP95Ms: 1800, outputTokensPerSecond: 40 },
    });
    const clock = createVirtualClock();
    const adapter = createSimulatedAdapterForModel(spec, { clock });
    expect(adapter.provider).toBe('sim');
    expect(adapter.providerModel).toBe('creative-large');
    const firstTokens: number[] = [];
    for (let index = 0; index < 301; index += 1) {
      const timed = await streamWithTimes(adapter, ask(`Turn ${index}: I open the door.`), clock);
      firstTokens.push(timed.find(({ part }) => part.type === 'text-delta')?.at ?? Number.NaN);
      const finish = timed.at(-1)?.part;
      if (index === 0 && finish?.type === 'finish') expect(finish.finishReason.unified).toBe('length');
    }
    expect(median(firstTokens)).toBeGreaterThan(600);
    expect(median(firstTokens)).toBeLessThan(800);
    const sorted = [...firstTokens].sort((left, right) => left - right);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeGreaterThan(1400);
    expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(2300);

    const tooLong = await adapter.doGenerate(ask('x'.repeat(5000))).catch((error: unknown) => error);
    expect(isProviderError(tooLong) && tooLong.kind).toBe('context_length');
  });
});

describe('createSimulatedAdapter: tools, failures and aborts', () => {
  const tools = [
    { name: 'roll_dice', parameters: { type: 'object' } },
    { name: 'set_scene', parameters: { type: 'object' } },
  ];

  it('calls the first tool (or the named one) when a tool is required, and answers in text otherwise', async () => {
    const adapter = createSimulatedAdapter({ clock: createVirtualClock() });
    const required = await adapter.doGenerate({ ...ask('Roll for me.'), tools, toolChoice: 'required' });
    expect(required.toolCalls).toEqual([{ id: expect.any(String), name: 'roll_dice', arguments: '{}' }]);
    expect(required.finishReason.unified).toBe('tool-calls');
    const named = await adapter.doGenerate({ ...ask('Move on.'), tools, toolChoice: { name: 'set_scene' } });
    expect(named.toolCalls[0]?.name).toBe('set_scene');
    const auto = await adapter.doGenerate({ ...ask('Move on.'), tools, toolChoice: 'auto' });
    expect(auto.toolCalls).toEqual([]);
    expect(auto.text.length).toBeGreaterThan(0);
  });

  it('injects failures at the configured rate, reproducibly for a seed', async () => {
    const kinds = async (seed: number): Promise<string[]> => {
      const adapter = createSimulatedAdapter({
        seed,
        clock: createVirtualClock(),
        errorRates: { server: 0.2, rate_limited: 0.1 },
      });
      const results: string[] = [];
      for (let index = 0; index < 400; index += 1) {
        results.push(
          await adapter.doGenerate(ask('I open the door.')).then(
            () => 'ok',
            (error: unknown) => (isProviderError(error) ? error.kind : 'other'),
          ),
        );
      }
      return results;
    };
    const first = await kinds(7);
    expect(await kinds(7)).toEqual(first);
    const count = (kind: string): number => first.filter((result) => result === kind).length;
    expect(count('server')).toBeGreaterThan(50);
    expect(count('server')).toBeLessThan(110);
    expect(count('rate_limited')).toBeGreaterThan(20);
    expect(count('rate_limited')).toBeLessThan(60);
    expect(count('other')).toBe(0);
  });

  it('cuts a stream without a finish when stream_cut is injected', async () => {
    const adapter = createSimulatedAdapter({ clock: createVirtualClock(), errorRates: { stream_cut: 1 } });
    const parts: StreamPart[] = [];
    for await (const part of (await adapter.doStream(ask('I open the door.'))).stream) parts.push(part);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    const last = parts.at(-1);
    expect(last?.type === 'error' && last.error.kind).toBe('stream_cut');
  });

  it('stops waiting out its latency as soon as the call is aborted', async () => {
    const adapter = createSimulatedAdapter({ timeToFirstTokenMs: 60_000 });
    const controller = new AbortController();
    const generating = adapter.doGenerate({ ...ask('I open the door.'), abortSignal: controller.signal });
    controller.abort();
    const error = await generating.catch((caught: unknown) => caught);
    expect(isProviderError(error) && error.kind).toBe('aborted');
  });
});
