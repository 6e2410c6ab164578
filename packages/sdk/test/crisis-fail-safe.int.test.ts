/**
 * The crisis fail-safe through HTTP: a player at crisis risk, every eligible (safety tier 3)
 * model failing on the fault server, and a healthy model of a lower tier that must never be asked.
 * The caller gets the configured safe message with the configured resources, flagged as a
 * fallback, inside the deadline.
 */
import { startFaultServer, type FaultServer } from '@switchboard/provider-sim/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createModelClient,
  crisisFallbackText,
  type CrisisFallback,
  type ModelClient,
  type ModelClientRequest,
} from '../src/index.ts';
import {
  attemptsOn,
  elapsedSince,
  faultModel,
  faultProviders,
  faultSnapshot,
  readStream,
  realProviderFactories,
  testTimeouts,
  type FaultModelOptions,
} from './fault-client-harness.ts';

let server: FaultServer;
const clients: ModelClient[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(async () => {
  await server.close();
});

const crisisFallback: CrisisFallback = {
  message:
    "I'm here with you, and I want you to be safe right now. The story can wait. Please reach out to " +
    'someone who can help you tonight.',
  resources: [
    'Samaritans (UK and Ireland): call 116 123, free, day or night.',
    'Text SHOUT to 85258 to talk to a trained volunteer.',
    'If you are in danger right now, call 999.',
  ],
};

/** A healthy model that is not safe enough for a player in crisis (tier 2 < the crisis minimum 3). */
function lessSafeHealthy(name: string): FaultModelOptions {
  return {
    id: `healthy/${name}-tier-2`,
    behaviour: 'healthy',
    scope: `${name}-tier-2`,
    safetyTier: 2,
    quality: 1,
  };
}

async function clientFor(models: FaultModelOptions[]): Promise<ModelClient> {
  const client = await createModelClient({
    registry: { snapshot: faultSnapshot(faultProviders(server), models.map(faultModel)) },
    providers: realProviderFactories(),
    crisisFallback,
    onWarning: (message) => {
      throw new Error(message);
    },
  });
  clients.push(client);
  return client;
}

function crisisRequest(deadlineMs: number): ModelClientRequest {
  return {
    messages: [{ role: 'user', content: 'I do not want to be here anymore. Nothing matters.' }],
    context: { taskType: 'therapeutic_response', riskLevel: 'crisis' },
    deadlineMs,
    maxOutputTokens: 256,
  };
}

describe('crisis fail-safe over HTTP', () => {
  it('answers with the configured safe message when every tier-3 model fails in its own way', async () => {
    const failing: FaultModelOptions[] = [
      {
        id: 'safe/unavailable',
        behaviour: 'unavailable',
        scope: 'crisis-unavailable',
        safetyTier: 3,
        quality: 0.9,
      },
      {
        id: 'safe/never-answers',
        behaviour: 'never-answers',
        scope: 'crisis-hang',
        safetyTier: 3,
        quality: 0.8,
      },
      {
        id: 'safe/reset',
        behaviour: 'reset-before-headers',
        scope: 'crisis-reset',
        safetyTier: 3,
        quality: 0.7,
      },
      {
        id: 'safe/anthropic-overloaded',
        behaviour: 'unavailable',
        scope: 'crisis-anthropic',
        route: 'anthropic',
        safetyTier: 3,
        quality: 0.6,
      },
    ];
    const unsafe = lessSafeHealthy('mixed');
    const client = await clientFor([...failing, unsafe]);
    const deadlineMs = 3_000;
    const startedAt = performance.now();
    const response = await client.chat(crisisRequest(deadlineMs));
    const elapsed = elapsedSince(startedAt);

    expect(response.fallback).toBe('safe-message');
    expect(response.text).toBe(crisisFallbackText(crisisFallback));
    expect(response.text.startsWith(crisisFallback.message)).toBe(true);
    for (const resource of crisisFallback.resources) expect(response.text).toContain(resource);
    expect(response.crisisResources).toEqual(crisisFallback.resources);
    expect(response.answeredBy).toBeUndefined();
    expect(response.finishReason).toEqual({ unified: 'other', raw: 'safe-message' });
    expect(response.cost).toEqual({ micros: 0, complete: true });
    expect(elapsed).toBeLessThan(deadlineMs);

    // Only tier-3 models were candidates, and each was really tried before giving up.
    expect(response.result.decision.candidates.map((candidate) => candidate.modelId)).toEqual(
      failing.map((model) => model.id),
    );
    expect(attemptsOn(server, unsafe)).toHaveLength(0);
    expect(attemptsOn(server, failing[0] as FaultModelOptions).map((attempt) => attempt.outcome)).toEqual([
      'http-503',
    ]);
    expect(attemptsOn(server, failing[1] as FaultModelOptions).map((attempt) => attempt.outcome)).toEqual([
      'hang',
    ]);
    expect(attemptsOn(server, failing[2] as FaultModelOptions).map((attempt) => attempt.outcome)).toEqual([
      'reset',
      'reset',
    ]);
    expect(attemptsOn(server, failing[3] as FaultModelOptions).map((attempt) => attempt.outcome)).toEqual([
      'http-529',
    ]);
    expect(response.result.attempts.map((attempt) => attempt.outcome)).toEqual([
      'overloaded',
      'timeout',
      'network',
      'network',
      'overloaded',
    ]);
    expect(response.result.failure?.kind).toBe('overloaded');
  });

  it('streams the safe message before the deadline even when the failing models would outlast it', async () => {
    // Three silent models at 300 ms each would take 900 ms; the deadline is 1,000 ms, and the safe
    // message must be delivered inside it, so the engine stops trying in time to give it.
    const silent: FaultModelOptions[] = ['first', 'second', 'third'].map((name, index) => ({
      id: `safe/silent-${name}`,
      behaviour: 'never-answers',
      scope: `crisis-silent-${name}`,
      safetyTier: 3,
      quality: 0.9 - index * 0.1,
    }));
    const unsafe = lessSafeHealthy('silent');
    const client = await clientFor([...silent, unsafe]);
    const deadlineMs = 1_000;
    const startedAt = performance.now();
    const { text, parts, response } = await readStream(client.stream(crisisRequest(deadlineMs)));
    const elapsed = elapsedSince(startedAt);

    expect(text).toBe(crisisFallbackText(crisisFallback));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', fallback: 'safe-message' });
    expect(response.fallback).toBe('safe-message');
    expect(response.crisisResources).toEqual(crisisFallback.resources);
    expect(elapsed).toBeGreaterThanOrEqual(2 * testTimeouts.firstTokenMs);
    expect(elapsed).toBeLessThan(deadlineMs);
    expect(response.result.attempts.map((attempt) => attempt.deadline)).toEqual([
      'first-token',
      'first-token',
      'total',
    ]);
    expect(attemptsOn(server, unsafe)).toHaveLength(0);
    for (const model of silent) expect(attemptsOn(server, model)).toHaveLength(1);
  });
});
