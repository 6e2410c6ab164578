/**
 * A 40-turn session through the real client and the fault server, whose answering model changes
 * three times, each time for another reason a real session meets:
 *
 * - turn 11, by policy: the game pins another model;
 * - turn 21, by failure: the pinned model's route goes down (its server is closed), so the engine
 *   fails over to the next candidate, and keeps doing so while the route stays down;
 * - turn 31, by context growth: the player pastes a long letter, the conversation outgrows the
 *   small window of the model that took over, and selection moves to a model with a larger one
 *   (served through the Anthropic adapter), whose later prompts the client cuts to
 *   `maxPromptTokens`.
 *
 * An adapter wrapper records every request each model received, after the client fitted it. The
 * fault server answers every request with a prefix of the canonical answer as long as the turn's
 * `maxOutputTokens` allows, so the 40 answers differ in length and their order can be checked.
 */
import {
  CANONICAL_ANSWER_TOKENS,
  startFaultServer,
  type FaultServer,
} from '@switchboard/provider-sim/testing';
import {
  estimateTokens,
  tokenizerFamilyFor,
  type ChatMessage,
  type ModelSpec,
  type ProviderSpecInput,
} from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemorySessionStore,
  createModelClient,
  type ModelClient,
  type ModelClientResponse,
} from '../src/index.ts';
import {
  attemptsOn,
  faultModel,
  faultProviders,
  faultSnapshot,
  realProviderFactories,
  type FaultModelOptions,
  type ReceivedRequest,
} from './fault-client-harness.ts';

const turnCount = 40;
const maxPromptTokens = 4_600;
const systemPrompt =
  'You are Mira, a gentle guide in a greenhouse adventure. Keep the player grounded, never judge, ' +
  'and if the player mentions being unsafe, acknowledge it warmly before the story continues.';
/** Safety-relevant disclosures the game pins: every later model must see them. */
const pinnedTurns = new Map<number, string>([
  [3, 'Before we go on: sometimes I do not feel safe at home, and the story helps me calm down.'],
  [26, 'I made a safety plan with my counsellor: if it gets bad, I call her or my aunt Rosa.'],
]);
const smallWindow = 4_096 + 64;

/** The fault server caps each answer at the turn's output allowance: 24 to 63 tokens. */
function outputTokensOf(turn: number): number {
  return 24 + ((turn * 7) % 40);
}

function answerOf(turn: number): string {
  return CANONICAL_ANSWER_TOKENS.slice(0, outputTokensOf(turn)).join('');
}

/** The session's prompt as the client counts it (core's estimate, unknown tokenizer family). */
function promptTokensBefore(userMessages: readonly string[], turn: number): number {
  const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt }];
  for (let earlier = 1; earlier < turn; earlier += 1) {
    messages.push({ role: 'user', content: userMessages[earlier - 1] ?? '' });
    messages.push({ role: 'assistant', content: answerOf(earlier) });
  }
  messages.push({ role: 'user', content: userMessages[turn - 1] ?? '' });
  return estimateTokens(messages, { family: 'unknown' });
}

/**
 * The player's 40 messages. Turn 31 is a long letter, sized so the prompt crosses 4,096 tokens
 * (the small model's window minus its output allowance) exactly there.
 */
function plannedUserMessages(): string[] {
  const messages: string[] = [];
  for (let turn = 1; turn <= turnCount; turn += 1) {
    messages.push(
      pinnedTurns.get(turn) ?? `Turn ${turn}: I look around the greenhouse and touch leaf number ${turn}.`,
    );
  }
  const letterLine = 'Dear grandmother, I found your clay bird and your note, and I kept reading it again. ';
  let letter = 'I want to read you the letter I wrote last night. ';
  messages[30] = letter;
  while (promptTokensBefore(messages, 31) < 4_300) {
    letter += letterLine;
    messages[30] = letter;
  }
  return messages;
}

const userMessages = plannedUserMessages();

let server: FaultServer;
/** Serves the model whose route goes down at turn 21. */
let routeB: FaultServer;
let routeBClosed = false;

beforeAll(async () => {
  [server, routeB] = await Promise.all([startFaultServer(), startFaultServer()]);
});
afterAll(async () => {
  await Promise.all([server.close(), routeBClosed ? Promise.resolve() : routeB.close()]);
});

const opening: FaultModelOptions = {
  id: 'session/opening',
  behaviour: 'healthy',
  scope: 'session-opening',
  contextWindow: 8_192,
  maxOutputTokens: 64,
  quality: 0.5,
};
const middle: FaultModelOptions = {
  id: 'session/middle',
  behaviour: 'healthy',
  scope: 'session-middle',
  provider: 'route-b',
  contextWindow: 8_192,
  maxOutputTokens: 64,
  quality: 0.7,
};
const smallLate: FaultModelOptions = {
  id: 'session/small-window',
  behaviour: 'healthy',
  scope: 'session-small',
  contextWindow: smallWindow,
  maxOutputTokens: 64,
  quality: 0.9,
};
const largeLate: FaultModelOptions = {
  id: 'session/large-window',
  behaviour: 'healthy',
  scope: 'session-large',
  route: 'anthropic',
  contextWindow: 16_384,
  maxOutputTokens: 64,
  quality: 0.6,
};
const modelOptions = [opening, middle, smallLate, largeLate];

/** The model each turn must be answered by: three switches. */
function expectedModelOf(turn: number): string {
  if (turn <= 10) return opening.id;
  if (turn <= 20) return middle.id;
  if (turn <= 30) return smallLate.id;
  return largeLate.id;
}

describe('a 40-turn session across three model switches', () => {
  it('keeps the system prompt, the pinned turns and every answer, within every window', async () => {
    // The plan itself: the small window holds turn 30's prompt and not turn 31's.
    expect(promptTokensBefore(userMessages, 30)).toBeLessThanOrEqual(4_096);
    expect(promptTokensBefore(userMessages, 31)).toBeGreaterThan(4_096);
    expect(promptTokensBefore(userMessages, 31)).toBeLessThan(maxPromptTokens);
    expect(promptTokensBefore(userMessages, turnCount)).toBeGreaterThan(maxPromptTokens);

    const providers: ProviderSpecInput[] = [
      ...faultProviders(server),
      { id: 'route-b', kind: 'openai-compatible', baseUrl: routeB.openaiBaseUrl },
    ];
    const snapshot = faultSnapshot(providers, modelOptions.map(faultModel));
    const modelsById = new Map<string, ModelSpec>(snapshot.models.map((model) => [model.id, model]));
    const received: ReceivedRequest[] = [];
    const receivedTurn: number[] = [];
    const sessionStore = createMemorySessionStore();
    const client: ModelClient = await createModelClient({
      registry: { snapshot },
      providers: realProviderFactories(received),
      sessionStore,
      maxPromptTokens,
      onWarning: (message) => {
        throw new Error(message);
      },
    });

    const responses: ModelClientResponse[] = [];
    try {
      for (let turn = 1; turn <= turnCount; turn += 1) {
        if (turn === 21) {
          await routeB.close();
          routeBClosed = true;
        }
        const before = received.length;
        const response = await client.chat({
          sessionId: 'player-7',
          systemPrompt: turn === 1 ? systemPrompt : undefined,
          userMessage: userMessages[turn - 1] ?? '',
          pinUserMessage: pinnedTurns.has(turn),
          pinnedModelId: turn <= 10 ? opening.id : middle.id,
          maxOutputTokens: outputTokensOf(turn),
          context: { taskType: 'dialogue_generation', riskLevel: 'elevated', sessionId: 'player-7' },
        });
        responses.push(response);
        for (let index = before; index < received.length; index += 1) receivedTurn[index] = turn;
      }
    } finally {
      await client.close();
    }

    // What the player saw: every turn answered in full by the expected model.
    expect(responses.map((response) => response.answeredBy)).toEqual(
      userMessages.map((_, index) => expectedModelOf(index + 1)),
    );
    responses.forEach((response, index) => {
      expect(response.text, `answer of turn ${index + 1}`).toBe(answerOf(index + 1));
      expect(response.fallback).toBeUndefined();
    });

    // Why each switch happened.
    expect(responses[10]?.result.decision.candidates[0]?.modelId).toBe(middle.id);
    expect(responses[20]?.result.attempts.map((attempt) => [attempt.modelId, attempt.outcome])).toEqual([
      [middle.id, 'network'],
      [middle.id, 'network'],
      [smallLate.id, 'ok'],
    ]);
    expect(responses[30]?.result.decision.rejections).toContainEqual(
      expect.objectContaining({ modelId: smallLate.id, code: 'context-window' }),
    );

    // The session after 40 turns: every message in full and in order, the pins where they were set.
    const session = await sessionStore.get('player-7');
    const expectedTranscript = userMessages.flatMap((message, index) => [message, answerOf(index + 1)]);
    expect(session?.messages.map((message) => message.content)).toEqual(expectedTranscript);
    expect(session?.systemPrompt).toBe(systemPrompt);
    expect(session?.pinnedIndices).toEqual([...pinnedTurns.keys()].map((turn) => (turn - 1) * 2));
    expect(session?.lastModelId).toBe(largeLate.id);

    // Every request every model received.
    expect(new Set(received.map((request) => request.modelId))).toEqual(
      new Set(modelOptions.map((model) => model.id)),
    );
    const priming = estimateTokens([], { family: 'unknown' });
    received.forEach((request, index) => {
      const turn = receivedTurn[index] ?? 0;
      const label = `request ${index} (turn ${turn}) to ${request.modelId}`;
      const model = modelsById.get(request.modelId) as ModelSpec;
      const [first] = request.messages;
      expect(first?.role, label).toBe('system');
      expect(first?.content.startsWith(systemPrompt), label).toBe(true);
      for (const [pinnedTurn, text] of pinnedTurns) {
        if (pinnedTurn > turn) continue;
        expect(
          request.messages.some((message) => message.role === 'user' && message.content.includes(text)),
          `${label} keeps the pinned turn ${pinnedTurn}`,
        ).toBe(true);
      }
      const promptTokens = estimateTokens(request.messages, { family: tokenizerFamilyFor(model) });
      expect(promptTokens + (request.maxOutputTokens ?? 0), label).toBeLessThanOrEqual(model.contextWindow);
      expect(promptTokens - priming, label).toBeLessThanOrEqual(maxPromptTokens);
      // The latest turns always arrive verbatim, the new message last.
      const latest =
        turn === 1 ? [userMessages[0]] : [userMessages[turn - 2], answerOf(turn - 1), userMessages[turn - 1]];
      expect(
        request.messages.slice(-latest.length).map((message) => message.content),
        label,
      ).toEqual(latest);
    });

    // At each switch the new model got the whole conversation so far, verbatim.
    for (const turn of [11, 21, 31]) {
      const request = received.find(
        (candidate, index) => receivedTurn[index] === turn && candidate.modelId === expectedModelOf(turn),
      );
      expect(request?.messages.map((message) => message.content)).toEqual([
        systemPrompt,
        ...expectedTranscript.slice(0, (turn - 1) * 2),
        userMessages[turn - 1],
      ]);
    }
    // Later on, the large model's prompts were cut to maxPromptTokens: older turns gave way.
    const lastRequest = received.at(-1);
    expect(lastRequest?.modelId).toBe(largeLate.id);
    expect(lastRequest?.messages.length).toBeLessThan(turnCount * 2 + 1);

    // What the providers saw: each model answered its own turns; the downed route got nothing more.
    expect(attemptsOn(routeB, middle).map((attempt) => attempt.outcome)).toEqual(Array(10).fill('ok'));
    expect(attemptsOn(server, opening)).toHaveLength(10);
    expect(attemptsOn(server, smallLate)).toHaveLength(10);
    const large = attemptsOn(server, largeLate);
    expect(large.map((attempt) => [attempt.route, attempt.outcome])).toEqual(
      Array(10).fill(['anthropic', 'ok']),
    );
  }, 120_000);
});
