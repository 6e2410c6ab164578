/**
 * The fault matrix of the SDK issue: every failure the providers issue lists, injected by the
 * fault server over loopback HTTP, driven through the real client (`createModelClient`) with the
 * real OpenAI-compatible and Anthropic adapters. Each row pins the faulty model first with a
 * healthy fallback behind it, and checks what the caller saw (the answer, who wrote it, usage and
 * cost, how long it took) and what the provider saw (how often and how far apart each model was
 * called). Rows run at elevated risk, where selection ranks by the quality priors without random
 * draws, so the order of the fallbacks is fixed.
 */
import {
  CANONICAL_ANSWER,
  CANONICAL_ANSWER_TOKENS,
  CONTENT_POLICY_MESSAGE,
  startFaultServer,
  type FaultAttempt,
  type FaultServer,
} from '@switchboard/provider-sim/testing';
import type { RoutingPolicyInput } from '@switchboard/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createModelClient,
  isExecutionError,
  type ModelClient,
  type ModelClientRequest,
  type ModelClientResponse,
} from '../src/index.ts';
import {
  attemptsOn,
  elapsedSince,
  expectAttemptSpacing,
  expectedCostMicros,
  faultModel,
  faultProviders,
  faultSnapshot,
  readStream,
  realProviderFactories,
  rejectionOf,
  serverPromptTokens,
  testTimeouts,
  type FaultModelOptions,
  type FaultRoute,
} from './fault-client-harness.ts';

let server: FaultServer;
const clients: ModelClient[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  // Every model belongs to one row: whatever the row did, the provider never saw three of its
  // requests within 1.5 s.
  const byModel = new Map<string, FaultAttempt[]>();
  for (const attempt of server.attempts())
    byModel.set(attempt.model, [...(byModel.get(attempt.model) ?? []), attempt]);
  for (const attempts of byModel.values()) expectAttemptSpacing(attempts);
});
afterAll(async () => {
  await server.close();
});

const prompt = 'I push open the greenhouse door. What do I see?';
const promptTokens = serverPromptTokens(prompt.length);
const answerTokens = CANONICAL_ANSWER_TOKENS.length;
/** Where the broken-stream rows break off, and what the caller has seen by then. */
const cutAfter = 12;
const partial = CANONICAL_ANSWER_TOKENS.slice(0, cutAfter).join('');
/** Slack for a busy two-core machine on every upper time bound. */
const slackMs = 1_500;

/** A faulty model first (best quality, pinned) and the healthy models behind it, in rank order. */
interface Row {
  faulty: FaultModelOptions;
  fallbacks: FaultModelOptions[];
}

/** A row whose faulty model and one healthy fallback share a scope prefix and a route. */
function row(
  name: string,
  behaviour: string,
  options: {
    route?: FaultRoute;
    faulty?: Partial<FaultModelOptions>;
    fallback?: Partial<FaultModelOptions>;
  } = {},
): Row {
  const route = options.route ?? 'openai';
  return {
    faulty: {
      id: `faulty/${name}`,
      behaviour,
      scope: `${name}-faulty`,
      route,
      quality: 0.95,
      ...options.faulty,
    },
    fallbacks: [
      {
        id: `healthy/${name}`,
        behaviour: 'healthy',
        scope: `${name}-healthy`,
        route,
        quality: 0.7,
        ...options.fallback,
      },
    ],
  };
}

async function clientFor(
  models: FaultModelOptions[],
  policy: Partial<RoutingPolicyInput> = {},
): Promise<ModelClient> {
  const client = await createModelClient({
    registry: { snapshot: faultSnapshot(faultProviders(server), models.map(faultModel), policy) },
    providers: realProviderFactories(),
    onWarning: (message) => {
      throw new Error(message);
    },
  });
  clients.push(client);
  return client;
}

async function rowClient(entry: Row, policy: Partial<RoutingPolicyInput> = {}): Promise<ModelClient> {
  return clientFor([entry.faulty, ...entry.fallbacks], policy);
}

function requestFor(entry: Row, overrides: Partial<ModelClientRequest> = {}): ModelClientRequest {
  return {
    messages: [{ role: 'user', content: prompt }],
    context: { taskType: 'narrative_generation', riskLevel: 'elevated' },
    pinnedModelId: entry.faulty.id,
    maxOutputTokens: 256,
    ...overrides,
  };
}

/** Streams a request, checking that the deltas the caller saw are exactly the final text. */
async function streamed(client: ModelClient, request: ModelClientRequest): Promise<ModelClientResponse> {
  const { text, parts, response } = await readStream(client.stream(request));
  expect(text).toBe(response.text);
  expect(parts.at(-1)).toMatchObject({ type: 'finish', fallback: undefined });
  return response;
}

/** A whole answer of one model, billed from the usage the provider reported. */
function expectUsage(response: ModelClientResponse, inputTokens: number, outputTokens: number): void {
  expect(response.usage.inputTokens.total).toBe(inputTokens);
  expect(response.usage.outputTokens.total).toBe(outputTokens);
  expect(response.cost).toEqual({ micros: expectedCostMicros(inputTokens, outputTokens), complete: true });
}

/** The fallback answered the whole canonical answer on its own, after one failed faulty attempt. */
function expectFailoverAnswer(response: ModelClientResponse, entry: Row): void {
  const fallback = entry.fallbacks[0] as FaultModelOptions;
  expect(response.text).toBe(CANONICAL_ANSWER);
  expect(response.finishReason.unified).toBe('stop');
  expect(response.answeredBy).toBe(fallback.id);
  expect(response.result.contributors).toEqual([fallback.id]);
  expect(response.fallback).toBeUndefined();
  expectUsage(response, promptTokens, answerTokens);
  const fallbackAttempts = attemptsOn(server, fallback);
  expect(fallbackAttempts.map((attempt) => attempt.outcome)).toEqual(['ok']);
}

function gapsOf(attempts: readonly { arrivedAt: number }[]): number[] {
  return attempts
    .slice(1)
    .map((attempt, index) => attempt.arrivedAt - (attempts[index] as { arrivedAt: number }).arrivedAt);
}

describe('fault matrix through the client, over HTTP', () => {
  describe('rate limits', () => {
    it('429 with a short Retry-After: waited out once on the same model, then the fallback answers', async () => {
      const entry = row('retry-after-300', 'rate-limit-retry-after-300');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await streamed(client, requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      const faulty = attemptsOn(server, entry.faulty);
      expect(faulty.map((attempt) => attempt.outcome)).toEqual(['http-429', 'http-429']);
      expect(gapsOf(faulty)[0]).toBeGreaterThanOrEqual(295);
      expectAttemptSpacing(faulty);
      expect(response.result.attempts.map((attempt) => [attempt.trigger, attempt.outcome])).toEqual([
        ['initial', 'rate_limited'],
        ['retry', 'rate_limited'],
        ['failover', 'ok'],
      ]);
      expect(elapsed).toBeGreaterThanOrEqual(300);
      expect(elapsed).toBeLessThan(300 + slackMs);
    });

    it('429 with Retry-After: 1 s opens the breaker, so the engine fails over at once instead of waiting', async () => {
      // The engine's documented choice: a Retry-After that opens the model's circuit (1 s or more
      // with the default breaker) is not waited out, because the circuit would refuse the retry.
      const entry = row('retry-after-1s', 'rate-limit-retry-after');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await streamed(client, requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['http-429']);
      expect(response.result.attempts.map((attempt) => attempt.trigger)).toEqual(['initial', 'failover']);
      expect(elapsed, 'failing over must not wait out the 1 s Retry-After').toBeLessThan(1_000);

      // The open circuit keeps the next request away from the rate-limited model altogether.
      const next = await client.chat(requestFor(entry));
      expect(next.answeredBy).toBe(entry.fallbacks[0]?.id);
      expect(next.result.decision.candidates.at(-1)).toMatchObject({
        modelId: entry.faulty.id,
        circuit: 'open',
      });
      expect(attemptsOn(server, entry.faulty)).toHaveLength(1);
    });

    it('429 persistent without Retry-After: no known end, so it fails over at once', async () => {
      const entry = row('rate-limit-persistent', 'rate-limit-persistent');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await client.chat(requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['http-429']);
      expect(elapsed).toBeLessThan(slackMs);
    });
  });

  describe('server errors', () => {
    it('500 once: retried on the same model after a jittered backoff, which then answers', async () => {
      const entry = row('server-error-once', 'server-error-once');
      const client = await rowClient(entry);
      const response = await streamed(client, requestFor(entry));

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(entry.faulty.id);
      expect(response.result.attempts.map((attempt) => [attempt.trigger, attempt.outcome])).toEqual([
        ['initial', 'server'],
        ['retry', 'ok'],
      ]);
      expectUsage(response, promptTokens, answerTokens);
      const faulty = attemptsOn(server, entry.faulty);
      expect(faulty.map((attempt) => attempt.outcome)).toEqual(['http-500', 'ok']);
      // The default backoff is 250 ms, drawn from half to one and a half times it.
      const [gap] = gapsOf(faulty);
      expect(gap).toBeGreaterThanOrEqual(120);
      expect(gap).toBeLessThan(375 + slackMs);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
    });

    it('500 once on a model without streaming: chat() retries the whole call and gets the answer', async () => {
      const entry = row('server-error-once-generate', 'server-error-once', { faulty: { streaming: false } });
      const client = await rowClient(entry);
      const response = await client.chat(requestFor(entry));

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(entry.faulty.id);
      expectUsage(response, promptTokens, answerTokens);
      const faulty = attemptsOn(server, entry.faulty);
      expect(faulty.map((attempt) => [attempt.outcome, attempt.stream])).toEqual([
        ['http-500', false],
        ['ok', false],
      ]);
      expect(gapsOf(faulty)[0]).toBeGreaterThanOrEqual(120);
    });

    it.each<FaultRoute>(['openai', 'anthropic'])(
      '503 always (%s route): overloaded, so it fails over at once',
      async (route) => {
        const entry = row(`unavailable-${route}`, 'unavailable', { route });
        const client = await rowClient(entry);
        const startedAt = performance.now();
        const response = await streamed(client, requestFor(entry));
        const elapsed = elapsedSince(startedAt);

        expectFailoverAnswer(response, entry);
        expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual([
          route === 'openai' ? 'http-503' : 'http-529',
        ]);
        expect(response.result.attempts[0]).toMatchObject({
          outcome: 'overloaded',
          provider: `fault-${route}`,
        });
        expect(elapsed).toBeLessThan(slackMs);
      },
    );

    it('503 for 800 ms then healthy: the fallback answers meanwhile, and the model gets traffic back after', async () => {
      const entry = row('unavailable-for', 'unavailable-for-800');
      const client = await rowClient(entry);
      const first = await streamed(client, requestFor(entry));
      expectFailoverAnswer(first, entry);

      const firstArrival = attemptsOn(server, entry.faulty)[0]?.arrivedAt ?? 0;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstArrival + 850 - Date.now())));
      const second = await client.chat(requestFor(entry));

      expect(second.text).toBe(CANONICAL_ANSWER);
      expect(second.answeredBy).toBe(entry.faulty.id);
      const faulty = attemptsOn(server, entry.faulty);
      expect(faulty.map((attempt) => attempt.outcome)).toEqual(['http-503', 'ok']);
      expect(gapsOf(faulty)[0]).toBeGreaterThanOrEqual(800);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(1);
    });
  });

  describe('connections', () => {
    it('TCP reset before headers: one retry after a backoff, then the fallback answers', async () => {
      const entry = row('reset', 'reset-before-headers');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await client.chat(requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      const faulty = attemptsOn(server, entry.faulty);
      expect(faulty.map((attempt) => attempt.outcome)).toEqual(['reset', 'reset']);
      expect(gapsOf(faulty)[0]).toBeGreaterThanOrEqual(120);
      expect(response.result.attempts.map((attempt) => [attempt.trigger, attempt.outcome])).toEqual([
        ['initial', 'network'],
        ['retry', 'network'],
        ['failover', 'ok'],
      ]);
      expect(elapsed).toBeLessThan(375 + slackMs);
    });

    it('accepts and never answers: costs one first-token deadline, then the fallback answers', async () => {
      const entry = row('never-answers', 'never-answers');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await streamed(client, requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['hang']);
      expect(response.result.attempts[0]).toMatchObject({ outcome: 'timeout', deadline: 'first-token' });
      expect(elapsed).toBeGreaterThanOrEqual(testTimeouts.firstTokenMs);
      expect(elapsed).toBeLessThan(testTimeouts.firstTokenMs + slackMs);
    });

    it('slow first token beyond the deadline: the headers came, the token did not, so it fails over', async () => {
      const entry = row('slow-first-token-slow', 'slow-first-token-2000');
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await streamed(client, requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expectFailoverAnswer(response, entry);
      expect(attemptsOn(server, entry.faulty)).toHaveLength(1);
      const [first] = response.result.attempts;
      expect(first).toMatchObject({ outcome: 'timeout', deadline: 'first-token', firstTokenAt: undefined });
      expect(first?.headersAt).toBeDefined();
      expect(elapsed).toBeLessThan(testTimeouts.firstTokenMs + slackMs);
    });

    it('slow first token within the deadline: the model answers itself', async () => {
      const entry = row('slow-first-token-ok', 'slow-first-token-100');
      const client = await rowClient(entry);
      const response = await streamed(client, requestFor(entry));

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(entry.faulty.id);
      expectUsage(response, promptTokens, answerTokens);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
    });
  });

  describe('broken streams', () => {
    it.each<{ route: FaultRoute; mode: 'prefill' | 'instruct'; behaviour: string }>([
      { route: 'openai', mode: 'prefill', behaviour: `cut-after-${cutAfter}` },
      { route: 'openai', mode: 'instruct', behaviour: `cut-after-${cutAfter}` },
      { route: 'anthropic', mode: 'prefill', behaviour: `cut-after-${cutAfter}` },
      { route: 'openai', mode: 'prefill', behaviour: `drop-after-${cutAfter}` },
    ])(
      'stream cut after $behaviour ($route, $mode continuation): the next model finishes the answer seamlessly',
      async ({ route, mode, behaviour }) => {
        const entry = row(`${behaviour}-${route}-${mode}`, behaviour, {
          route,
          fallback: { assistantPrefill: mode === 'prefill' },
        });
        const fallback = entry.fallbacks[0] as FaultModelOptions;
        const client = await rowClient(entry);
        const { text, parts, response } = await readStream(client.stream(requestFor(entry)));

        expect(text).toBe(CANONICAL_ANSWER);
        expect(response.text).toBe(CANONICAL_ANSWER);
        expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
        expect(response.answeredBy).toBe(fallback.id);
        expect(response.result.contributors).toEqual([entry.faulty.id, fallback.id]);
        expect(response.result.attempts.map((attempt) => [attempt.trigger, attempt.continuation])).toEqual([
          ['initial', undefined],
          ['handoff', mode],
        ]);
        expect(response.result.attempts[0]).toMatchObject({
          billed: false,
          outputCharacters: partial.length,
        });

        const faulty = attemptsOn(server, entry.faulty);
        expect(faulty).toHaveLength(1);
        const [continued] = attemptsOn(server, fallback);
        expect(continued?.lastMessageRole).toBe(mode === 'prefill' ? 'assistant' : 'user');
        if (mode === 'prefill') {
          // The provider continued the prefill: it was sent, and billed, only the rest.
          expectUsage(response, serverPromptTokens(prompt.length + partial.length), answerTokens - cutAfter);
        } else {
          // Asked by instruction, it wrote the whole answer again; the stitcher dropped the repeat.
          expect(response.usage.outputTokens.total).toBe(answerTokens);
          expect(response.usage.inputTokens.total).toBeGreaterThan(promptTokens);
          expect(response.cost.complete).toBe(true);
        }
      },
    );

    it('stream stalls after 12 tokens: the idle deadline hands the answer to the next model', async () => {
      const entry = row('stall', `stall-after-${cutAfter}`, { fallback: { assistantPrefill: true } });
      const fallback = entry.fallbacks[0] as FaultModelOptions;
      const client = await rowClient(entry);
      const startedAt = performance.now();
      const response = await streamed(client, requestFor(entry));
      const elapsed = elapsedSince(startedAt);

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(fallback.id);
      expect(response.result.contributors).toEqual([entry.faulty.id, fallback.id]);
      expect(response.result.attempts[0]).toMatchObject({ outcome: 'stream_stall', deadline: 'idle' });
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['stall']);
      expect(attemptsOn(server, fallback).map((attempt) => attempt.lastMessageRole)).toEqual(['assistant']);
      expectUsage(response, serverPromptTokens(prompt.length + partial.length), answerTokens - cutAfter);
      expect(elapsed).toBeGreaterThanOrEqual(testTimeouts.idleMs);
      expect(elapsed).toBeLessThan(testTimeouts.idleMs + slackMs);
    });

    it('one malformed chunk: skipped, and the model itself delivers the whole answer', async () => {
      const entry = row('malformed', 'malformed-chunk');
      const client = await rowClient(entry);
      const response = await streamed(client, requestFor(entry));

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(entry.faulty.id);
      expectUsage(response, promptTokens, answerTokens);
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['malformed']);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
    });

    it.each<FaultRoute>(['openai', 'anthropic'])(
      'no [DONE] / message_stop (%s route): the answer completes at its finish, without waiting for the end of the body',
      async (route) => {
        const entry = row(`no-done-${route}`, 'no-done', { route });
        const client = await rowClient(entry);
        const startedAt = performance.now();
        const response = await client.chat(requestFor(entry));
        const elapsed = elapsedSince(startedAt);

        expect(response.text).toBe(CANONICAL_ANSWER);
        expect(response.answeredBy).toBe(entry.faulty.id);
        expectUsage(response, promptTokens, answerTokens);
        expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['no-done']);
        expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
        expect(elapsed).toBeLessThan(slackMs);
      },
    );
  });

  describe('refusals', () => {
    it('400 context_length_exceeded: re-selection picks a model with a larger window, skipping equal ones', async () => {
      const faulty: FaultModelOptions = {
        id: 'faulty/context-length',
        behaviour: 'context-length',
        scope: 'context-length-faulty',
        contextWindow: 8_192,
        quality: 0.95,
      };
      const sameWindow: FaultModelOptions = {
        id: 'healthy/context-length-same-window',
        behaviour: 'healthy',
        scope: 'context-length-same',
        contextWindow: 8_192,
        quality: 0.9,
      };
      const largerWindow: FaultModelOptions = {
        id: 'healthy/context-length-larger-window',
        behaviour: 'healthy',
        scope: 'context-length-larger',
        contextWindow: 65_536,
        quality: 0.5,
      };
      const client = await clientFor([faulty, sameWindow, largerWindow]);
      const response = await client.chat({
        messages: [{ role: 'user', content: prompt }],
        context: { taskType: 'narrative_generation', riskLevel: 'elevated' },
        pinnedModelId: faulty.id,
        maxOutputTokens: 256,
      });

      expect(response.text).toBe(CANONICAL_ANSWER);
      expect(response.answeredBy).toBe(largerWindow.id);
      expectUsage(response, promptTokens, answerTokens);
      expect(response.result.reselections).toHaveLength(1);
      // The provider said 9,120 tokens: a window of 8,192 cannot hold that, whatever it estimated.
      expect(response.result.reselections[0]?.candidates.map((candidate) => candidate.modelId)).toEqual([
        largerWindow.id,
      ]);
      expect(attemptsOn(server, faulty).map((attempt) => attempt.outcome)).toEqual(['http-400']);
      expect(attemptsOn(server, sameWindow)).toHaveLength(0);
      expect(attemptsOn(server, largerWindow).map((attempt) => attempt.outcome)).toEqual(['ok']);
    });

    it('400 content_policy_violation: the caller gets the provider reason; a less safe fallback is never asked', async () => {
      const entry = row('content-policy', 'content-policy', {
        faulty: { safetyTier: 3 },
        fallback: { safetyTier: 2 },
      });
      const client = await rowClient(entry);
      const error = await rejectionOf(readStream(client.stream(requestFor(entry))));

      expect(isExecutionError(error)).toBe(true);
      if (!isExecutionError(error)) return;
      expect(error.kind).toBe('content_filter');
      expect(error.providerMessage).toBe(CONTENT_POLICY_MESSAGE);
      expect(error.message).toContain(CONTENT_POLICY_MESSAGE);
      expect(error.partialText).toBe('');
      expect(error.skipped).toEqual([{ modelId: entry.fallbacks[0]?.id, reason: 'safety-tier' }]);
      expect(attemptsOn(server, entry.faulty).map((attempt) => attempt.outcome)).toEqual(['http-400']);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
    });

    it('400 content_policy_violation under a policy without content-filter failover: stops with the reason', async () => {
      const entry = row('content-policy-stop', 'content-policy');
      const client = await rowClient(entry, { contentFilterFailoverSameTierOrSafer: false });
      const error = await rejectionOf(client.chat(requestFor(entry)));

      expect(isExecutionError(error) && error.kind).toBe('content_filter');
      expect(isExecutionError(error) && error.providerMessage).toBe(CONTENT_POLICY_MESSAGE);
      expect(attemptsOn(server, entry.faulty)).toHaveLength(1);
      expect(attemptsOn(server, entry.fallbacks[0] as FaultModelOptions)).toHaveLength(0);
    });

    it.each<FaultRoute>(['openai', 'anthropic'])(
      'rejects a request ending in an assistant prefill (%s route): continued by instruction on the same model',
      async (route) => {
        // The registry wrongly says the continuing model takes a prefill; the provider refuses it.
        const cut: FaultModelOptions = {
          id: `faulty/cut-before-prefill-${route}`,
          behaviour: `cut-after-${cutAfter}`,
          scope: `rejects-prefill-${route}-cut`,
          route,
          quality: 0.95,
        };
        const refusing: FaultModelOptions = {
          id: `faulty/rejects-prefill-${route}`,
          behaviour: 'rejects-prefill',
          scope: `rejects-prefill-${route}`,
          route,
          assistantPrefill: true,
          quality: 0.9,
        };
        const healthy: FaultModelOptions = {
          id: `healthy/rejects-prefill-${route}`,
          behaviour: 'healthy',
          scope: `rejects-prefill-${route}-healthy`,
          route,
          quality: 0.5,
        };
        const client = await clientFor([cut, refusing, healthy]);
        const response = await streamed(client, requestFor({ faulty: cut, fallbacks: [] }));

        expect(response.text).toBe(CANONICAL_ANSWER);
        expect(response.answeredBy).toBe(refusing.id);
        expect(response.result.contributors).toEqual([cut.id, refusing.id]);
        expect(response.result.attempts.map((attempt) => [attempt.trigger, attempt.continuation])).toEqual([
          ['initial', undefined],
          ['handoff', 'prefill'],
          ['prefill-fallback', 'instruct'],
        ]);
        const refused = attemptsOn(server, refusing);
        expect(refused.map((attempt) => [attempt.outcome, attempt.lastMessageRole])).toEqual([
          ['http-400', 'assistant'],
          ['ok', 'user'],
        ]);
        expectAttemptSpacing(refused);
        expect(attemptsOn(server, healthy)).toHaveLength(0);
        expect(response.usage.outputTokens.total).toBe(answerTokens);
      },
    );
  });
});
