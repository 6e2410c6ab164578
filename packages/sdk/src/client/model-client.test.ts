import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  SwitchboardValidationError,
  summaryMarkerPrefix,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createInMemoryCircuitRegistry, isExecutionError, type EnginePart } from '../engine/index.ts';
import {
  simulatedProviders,
  simulatedSnapshot,
  type SimulatedProviders,
} from './__fixtures__/simulated-client.ts';
import { createModelClient } from './model-client.ts';
import type { DecisionFeedback, ModelClient, ModelClientOptions } from './model-client-types.ts';
import { createMemorySessionStore } from './session/memory-session-store.ts';
import { appendTurn, createSession, pinTurn, setSessionSummary } from './session/session.ts';
import { createMemoryTelemetrySink, type MemoryTelemetrySink } from './telemetry/memory-telemetry-sink.ts';

interface Harness {
  client: ModelClient;
  sim: SimulatedProviders;
  telemetry: MemoryTelemetrySink;
}

async function harness(
  options: Partial<ModelClientOptions> = {},
  sim = simulatedProviders(),
): Promise<Harness> {
  const telemetry = createMemoryTelemetrySink();
  let counter = 0;
  const client = await createModelClient({
    registry: { snapshot: simulatedSnapshot() },
    providers: { sim: sim.factory },
    clock: sim.engineClock,
    random: () => 0.5,
    generateId: () => `id-${(counter += 1)}`,
    telemetry,
    ...options,
  });
  return { client, sim, telemetry };
}

const playerSecret = 'I have never told anyone this';
/**
 * A simulated model that takes a system message as such. The harness draws every selection seed
 * from `random: () => 0.5`, so every request makes the same exploration coin flip: tests whose
 * assertions need a particular kind of model pin one instead of depending on that flip.
 */
const withSystemRole = 'sim/fast-small';

describe('createModelClient', () => {
  it('answers a request, emitting one telemetry event with figures and no content', async () => {
    const { client, telemetry } = await harness();
    const response = await client.chat({
      messages: [{ role: 'user', content: playerSecret }],
      context: { taskType: 'dialogue_generation', playerId: 'player-1', sessionId: 'session-9' },
    });

    expect(response.text.length).toBeGreaterThan(0);
    expect(response.finishReason.unified).toBe('stop');
    expect(response.answeredBy).toMatch(/^sim\//);
    const [event] = telemetry.events();
    expect(telemetry.events()).toHaveLength(1);
    expect(event).toMatchObject({
      decisionId: response.decisionId,
      taskType: 'dialogue_generation',
      playerId: 'player-1',
      sessionId: 'session-9',
      answeredBy: response.answeredBy,
      outcome: 'answered',
      fallback: false,
    });
    expect(event?.attempts[0]).toMatchObject({
      outcome: 'succeeded',
      billed: true,
      cost: { status: 'known' },
    });
    expect(event?.attempts[0]?.usage.inputTokens).toBeGreaterThan(0);
    const serialised = JSON.stringify(event);
    expect(serialised).not.toContain(playerSecret);
    expect(serialised).not.toContain(response.text.slice(0, 20));
  });

  it('keeps a session: the next turn is sent with the persona and the earlier exchange', async () => {
    const sessionStore = createMemorySessionStore();
    const { client, sim } = await harness({ sessionStore });
    // Pinned to a model with a system role: this test is about the transcript, not about which model
    // selection (or its exploration) picks; a model without one gets the persona folded into the
    // first user message (see the next test).
    const first = await client.chat({
      sessionId: 'session-1',
      systemPrompt: 'You are Mira, a gentle guide.',
      userMessage: 'Hello Mira',
      pinnedModelId: withSystemRole,
    });
    await client.chat({
      sessionId: 'session-1',
      userMessage: 'Where are we?',
      pinnedModelId: withSystemRole,
    });

    const session = await sessionStore.get('session-1');
    expect(session?.messages.map((message) => message.content)).toEqual([
      'Hello Mira',
      first.text,
      'Where are we?',
      expect.any(String),
    ]);
    expect(session?.lastModelId).toBe(withSystemRole);
    expect(sim.received.at(-1)?.messages.map((message) => message.content)).toEqual([
      'You are Mira, a gentle guide.',
      'Hello Mira',
      first.text,
      'Where are we?',
    ]);
  });

  it('adapts the transcript when the next model lacks a system role, keeping the persona', async () => {
    const { client, sim } = await harness();
    await client.chat({
      sessionId: 'session-1',
      systemPrompt: 'You are Mira.',
      userMessage: 'Hello',
      pinnedModelId: 'sim/fast-small',
    });
    const response = await client.chat({
      sessionId: 'session-1',
      userMessage: 'Go on',
      pinnedModelId: 'sim/local',
    });

    expect(response.answeredBy).toBe('sim/local');
    const sent = sim.received.at(-1);
    expect(sent?.modelId).toBe('sim/local');
    expect(sent?.messages.some((message) => message.role === 'system')).toBe(false);
    expect(sent?.messages[0]).toMatchObject({
      role: 'user',
      content: expect.stringContaining('You are Mira.'),
    });
  });

  it('cuts a long session to maxPromptTokens, keeping the pinned disclosure and the summary', async () => {
    const sessionStore = createMemorySessionStore();
    let session = createSession('long', { systemPrompt: 'You are Mira.', now: 0 });
    session = appendTurn(
      session,
      { user: 'My brother hurts me.', assistant: 'Thank you for telling me.' },
      0,
    );
    session = pinTurn(session, 0, 0);
    for (let index = 0; index < 40; index++) {
      session = appendTurn(
        session,
        {
          user: `We walk on, step ${index}. ${'The path winds on. '.repeat(8)}`,
          assistant: `Step ${index} taken. ${'Leaves fall. '.repeat(8)}`,
        },
        0,
      );
    }
    session = setSessionSummary(session, 'They crossed the forest together.', 0);
    await sessionStore.put(session);
    const { client, sim } = await harness({ sessionStore, maxPromptTokens: 400 });

    // Pinned to a model with a system role, so the disclosure is sent as the system message whichever
    // model selection would have picked.
    await client.chat({ sessionId: 'long', userMessage: 'What now?', pinnedModelId: withSystemRole });
    const sent = sim.received.at(-1)?.messages ?? [];
    const texts = sent.map((message) => message.content);
    expect(sent.length).toBeLessThan(session.messages.length);
    expect(texts[0]).toBe('You are Mira.');
    expect(texts).toContain('My brother hurts me.');
    expect(
      texts.some((text) => text.startsWith(summaryMarkerPrefix) && text.includes('They crossed the forest')),
    ).toBe(true);
    expect(texts.at(-1)).toBe('What now?');
    expect((await sessionStore.get('long'))?.messages).toHaveLength(session.messages.length + 2);
  });

  it('fails over when the first model is down, and says so in telemetry', async () => {
    const sim = simulatedProviders();
    sim.behaviours.set('sim/fast-small', 'unavailable');
    const { client, telemetry } = await harness({}, sim);
    const response = await client.chat({
      messages: [{ role: 'user', content: 'Hello' }],
      pinnedModelId: 'sim/fast-small',
    });

    expect(response.answeredBy).not.toBe('sim/fast-small');
    const event = telemetry.events()[0];
    expect(event?.fallback).toBe(true);
    expect(event?.attempts[0]).toMatchObject({
      modelId: 'sim/fast-small',
      outcome: 'failed',
      errorKind: 'overloaded',
      billed: false,
    });
    expect(event?.attempts.at(-1)).toMatchObject({ modelId: response.answeredBy, outcome: 'succeeded' });
  });

  it('fails over at once when a Retry-After opens the circuit, instead of waiting it out for a refused retry', async () => {
    const sim = simulatedProviders();
    sim.behaviours.set('sim/fast-small', 'rate-limit-retry-after');
    const circuits = createInMemoryCircuitRegistry();
    const { client } = await harness({ circuits }, sim);
    const startedAt = sim.clock.now();
    const response = await client.chat({
      messages: [{ role: 'user', content: 'Hello' }],
      pinnedModelId: 'sim/fast-small',
    });

    expect(response.answeredBy).not.toBe('sim/fast-small');
    expect(response.result.attempts.map((attempt) => [attempt.modelId, attempt.trigger])).toEqual([
      ['sim/fast-small', 'initial'],
      [response.answeredBy, 'failover'],
    ]);
    expect(circuits.statusOf('sim/fast-small', sim.clock.now())).toBe('open');
    // The 1 s Retry-After was not waited out: the failover began as soon as the 429 came back.
    expect((response.result.attempts[1]?.startedAt ?? Infinity) - startedAt).toBeLessThan(1_000);
  });

  it('streams the answer part by part, the text adding up to the response', async () => {
    const { client } = await harness();
    const stream = client.stream({
      messages: [{ role: 'user', content: 'Tell me a story' }],
      context: { taskType: 'narrative_generation' },
    });
    const parts: EnginePart[] = [];
    for await (const part of stream) parts.push(part);
    const response = await stream.response;

    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((part) => part.delta).join('')).toBe(response.text);
    expect(parts.at(-1)?.type).toBe('finish');
    expect(stream.decisionId).toBe(response.decisionId);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/read only once/);
  });

  it('cancels a stream through its signal: the response rejects as aborted and the session is left unchanged', async () => {
    const sessionStore = createMemorySessionStore();
    const { client, telemetry } = await harness({ sessionStore });
    const controller = new AbortController();
    const stream = client.stream({
      sessionId: 's',
      userMessage: 'Hello',
      signal: controller.signal,
      context: { taskType: 'narrative_generation' },
    });
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const part of stream) {
          if (part.type === 'text-delta') {
            received.push(part.delta);
            controller.abort();
          }
        }
      })(),
    ).rejects.toSatisfy((error) => isExecutionError(error) && error.kind === 'aborted');
    await expect(stream.response).rejects.toSatisfy(
      (error) => isExecutionError(error) && error.kind === 'aborted',
    );
    expect(received.length).toBeGreaterThan(0);
    expect(telemetry.events()[0]).toMatchObject({ outcome: 'aborted', answeredBy: null });
    expect(await sessionStore.get('s')).toBeUndefined();
  });

  it('selects a request it will not cache on its exact prompt size, not on its cache bucket', async () => {
    const content = defaultRegistryContent();
    const snapshot = buildRegistrySnapshot(
      {
        ...content,
        providers: content.providers.filter((provider) => provider.kind === 'sim'),
        // One model whose window holds the ~3,000-token prompt plus the answer, but not the bucket's 4,096.
        models: content.models
          .filter((model) => model.id === 'sim/fast-small' || model.id === 'sim/creative-large')
          .map((model) =>
            model.id === 'sim/fast-small' ? { ...model, contextWindow: 4_200, maxOutputTokens: 200 } : model,
          ),
        policies: [],
      },
      { version: 1, createdAt: '2026-01-01T00:00:00.000Z' },
    );
    const { client } = await harness({ registry: { snapshot } });
    const response = await client.chat({
      messages: [{ role: 'user', content: 'the lantern flickers '.repeat(500) }],
      context: { taskType: 'general_chat', riskLevel: 'none' },
      maxOutputTokens: 200,
    });
    const ranked = response.result.decision.candidates.map((candidate) => candidate.modelId);
    expect(ranked).toContain('sim/fast-small');
    expect(response.result.decision.rejections).toEqual([]);
  });

  it('reuses deterministic crisis rankings from the cache, but not sampled ones, and drops them on invalidation', async () => {
    const { client } = await harness();
    const crisis = {
      messages: [{ role: 'user' as const, content: 'I cannot go on' }],
      context: { taskType: 'therapeutic_response' as const, riskLevel: 'crisis' as const },
    };
    const first = await client.chat(crisis);
    const second = await client.chat(crisis);
    expect(second.result.decision).toBe(first.result.decision);

    client.invalidateDecisions();
    const third = await client.chat(crisis);
    expect(third.result.decision).not.toBe(first.result.decision);
    // Re-selected with what the first two requests taught (their latency), so only the order is the same.
    const order = (decision: typeof first.result.decision) =>
      decision.candidates.map(({ modelId }) => modelId);
    expect(order(third.result.decision)).toEqual(order(first.result.decision));

    const calm = {
      messages: [{ role: 'user' as const, content: 'Hello' }],
      context: { taskType: 'general_chat' as const },
    };
    const calmFirst = await client.chat(calm);
    const calmSecond = await client.chat(calm);
    expect(calmSecond.result.decision).not.toBe(calmFirst.result.decision);
  });

  it('answers a player in crisis with the safe message when the safe model fails, and stops trusting a cached ranking once its circuit opens', async () => {
    const sim = simulatedProviders();
    sim.behaviours.set('sim/safety-tuned', 'unavailable');
    const circuits = createInMemoryCircuitRegistry();
    const { client, telemetry } = await harness({ circuits }, sim);
    const crisis = {
      messages: [{ role: 'user' as const, content: 'I cannot go on' }],
      context: { taskType: 'therapeutic_response' as const, riskLevel: 'crisis' as const },
    };

    const first = await client.chat(crisis);
    expect(first.fallback).toBe('safe-message');
    expect(first.crisisResources?.length).toBeGreaterThan(0);
    expect(telemetry.events()[0]).toMatchObject({
      outcome: 'safe-message',
      fallback: true,
      answeredBy: null,
    });

    let latest = first;
    for (
      let request = 0;
      request < 10 && circuits.statusOf('sim/safety-tuned', sim.clock.now()) === 'closed';
      request++
    ) {
      latest = await client.chat(crisis);
    }
    expect(circuits.statusOf('sim/safety-tuned', sim.clock.now())).toBe('open');
    const after = await client.chat(crisis);
    expect(after.result.decision).not.toBe(latest.result.decision);
    expect(after.result.decision.candidates[0]).toMatchObject({
      modelId: 'sim/safety-tuned',
      circuit: 'open',
    });
  });

  it('reports requests no model may serve, and requests every model failed, in telemetry', async () => {
    const sim = simulatedProviders();
    for (const model of simulatedSnapshot().models) sim.behaviours.set(model.id, 'auth-error');
    const { client, telemetry } = await harness({}, sim);
    await expect(
      client.chat({ messages: [{ role: 'user', content: 'Hello' }], context: { latencyBudgetMs: 1 } }),
    ).rejects.toSatisfy((error) => isExecutionError(error) && error.kind === 'no_candidate');
    await expect(client.chat({ messages: [{ role: 'user', content: 'Hello' }] })).rejects.toSatisfy(
      (error) => isExecutionError(error) && error.kind === 'auth',
    );

    const [nothingEligible, allFailed] = telemetry.events();
    expect(nothingEligible).toMatchObject({ outcome: 'no-eligible-model', attempts: [], answeredBy: null });
    expect(allFailed?.outcome).toBe('failed');
    expect(allFailed?.attempts.every((attempt) => attempt.errorKind === 'auth' && !attempt.billed)).toBe(
      true,
    );
  });

  it('passes feedback on for decisions it remembers', async () => {
    const given: DecisionFeedback[] = [];
    const { client } = await harness({ onFeedback: (feedback) => given.push(feedback) });
    const response = await client.chat({ messages: [{ role: 'user', content: 'Hello' }] });

    expect(client.feedback(response.decisionId, 0.9)).toBe(true);
    expect(client.feedback('unknown-decision', 0.9)).toBe(false);
    expect(() => client.feedback(response.decisionId, 1.5)).toThrow(RangeError);
    expect(given).toEqual([
      expect.objectContaining({
        decisionId: response.decisionId,
        score: 0.9,
        modelId: response.answeredBy,
        taskType: 'general_chat',
      }),
    ]);
  });

  it('runs requests on one session one after another, so no turn is lost', async () => {
    const sessionStore = createMemorySessionStore();
    const { client } = await harness({ sessionStore });
    await Promise.all([
      client.chat({ sessionId: 's', userMessage: 'first' }),
      client.chat({ sessionId: 's', userMessage: 'second' }),
      client.chat({ sessionId: 's', userMessage: 'third' }),
    ]);
    const session = await sessionStore.get('s');
    expect(
      session?.messages.filter((message) => message.role === 'user').map((message) => message.content),
    ).toEqual(['first', 'second', 'third']);
  });

  it('rejects malformed requests with what to fix', async () => {
    const { client } = await harness();
    await expect(client.chat({ messages: [], sessionId: 's', userMessage: 'x' })).rejects.toThrow(
      /either `messages`/,
    );
    await expect(client.chat({ sessionId: 's' })).rejects.toThrow(/either `messages`/);
    await expect(
      client.chat({ messages: [{ role: 'user', content: 'x' }], context: { creativity: 3 } }),
    ).rejects.toBeInstanceOf(SwitchboardValidationError);
  });

  it('passes over models whose provider has no adapter factory, and says how to fix it', async () => {
    const warnings: string[] = [];
    const { client } = await harness({ providers: {}, onWarning: (message) => warnings.push(message) });
    await expect(client.chat({ messages: [{ role: 'user', content: 'Hello' }] })).rejects.toSatisfy(
      (error) => isExecutionError(error) && error.kind === 'no_candidate',
    );
    expect(warnings[0]).toMatch(/No adapter factory for provider "sim".*add "sim"/);
  });

  it('waits for requests in flight on close(), then closes telemetry and refuses new requests', async () => {
    const { client, telemetry } = await harness();
    const pending = client.chat({ messages: [{ role: 'user', content: 'Hello' }] });
    await client.close();
    await expect(pending).resolves.toMatchObject({ decisionId: 'id-1' });
    expect(telemetry.events()).toHaveLength(1);
    await expect(client.chat({ messages: [{ role: 'user', content: 'Hello' }] })).rejects.toThrow(/closed/);
  });

  it('loads its registry from a file', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'switchboard-client-'));
    try {
      const file = path.join(folder, 'registry.json');
      const { providers, models, policies } = simulatedSnapshot();
      await writeFile(file, JSON.stringify({ providers, models, policies }));
      const sim = simulatedProviders();
      const { client } = await harness({ registry: { file } }, sim);
      expect(client.snapshot().models.every((model) => model.provider === 'sim')).toBe(true);
      expect(
        (await client.chat({ messages: [{ role: 'user', content: 'Hello' }] })).text.length,
      ).toBeGreaterThan(0);
      await client.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
