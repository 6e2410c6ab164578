import {
  buildRegistrySnapshot,
  createOptimizerState,
  defaultRegistryContent,
  deserializeOptimizerState,
  observedStats,
  recordOutcome,
  type ChatModelAdapterV1,
  type ModelSpecInput,
  type OptimizerState,
  type RegistrySnapshot,
} from '@switchboard/core';
import { createSimulatedAdapterForModel, createVirtualClock } from '@switchboard/provider-sim';
import { describe, expect, it } from 'vitest';
import { engineClockFromSleep } from '../engine/index.ts';
import { createModelClient } from './model-client.ts';
import type {
  DecisionSignal,
  ModelClient,
  ModelClientOptions,
  ModelClientRequest,
  ProviderAdapterFactory,
} from './model-client-types.ts';
import type { RegistrySource } from './registry-source/registry-source.ts';
import { createMemoryTelemetrySink } from './telemetry/memory-telemetry-sink.ts';

const steady = 'sim/steady';
const wobbly = 'sim/wobbly';

/**
 * Two simulated models alike but for the registry's quality prior: wobbly is rated a little better
 * (0.8 against 0.7), so selection prefers it until it learns otherwise. One policy, quality first,
 * with the given exploration budget.
 */
function twinSnapshot(options: {
  explorationRate: number;
  wobblyTier?: ModelSpecInput['safetyTier'];
}): RegistrySnapshot {
  const content = defaultRegistryContent();
  const template = content.models.find((model) => model.id === 'sim/fast-small')!;
  const twin = (id: string, safetyTier: ModelSpecInput['safetyTier'], quality: number): ModelSpecInput => ({
    ...template,
    id,
    safetyTier,
    qualityPriors: { default: quality },
    tags: ['simulated'],
  });
  return buildRegistrySnapshot(
    {
      providers: content.providers.filter((provider) => provider.kind === 'sim'),
      models: [twin(steady, 3, 0.7), twin(wobbly, options.wobblyTier ?? 3, 0.8)],
      policies: [
        {
          name: 'default',
          description: 'Quality first, for the learning tests.',
          riskRules: {
            none: { minSafetyTier: 0, maxTemperature: 1.3 },
            low: { minSafetyTier: 1, maxTemperature: 1.1 },
            elevated: { minSafetyTier: 2, maxTemperature: 0.7 },
            crisis: { minSafetyTier: 3, maxTemperature: 0.3 },
          },
          weights: { quality: 3, latency: 1, cost: 0 },
          temperatureRange: { min: 0.3, max: 1 },
          explorationRate: options.explorationRate,
        },
      ],
    },
    { version: 1, createdAt: '2026-01-01T00:00:00.000Z' },
  );
}

/** A deterministic stream of uniform numbers (mulberry32), so every run draws the same seeds. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Simulated adapters whose behaviour can change while the client runs ("the model starts refusing"). */
function switchableProviders() {
  const clock = createVirtualClock(Date.UTC(2026, 0, 1));
  const failing = new Map<string, string>();
  const factory: ProviderAdapterFactory = (_provider, model) => {
    const healthy = createSimulatedAdapterForModel(model, { clock });
    const broken = new Map<string, ChatModelAdapterV1>();
    const current = (): ChatModelAdapterV1 => {
      const behaviour = failing.get(model.id);
      if (behaviour === undefined) return healthy;
      let adapter = broken.get(behaviour);
      if (adapter === undefined) {
        adapter = createSimulatedAdapterForModel(model, { clock, behaviour });
        broken.set(behaviour, adapter);
      }
      return adapter;
    };
    return {
      ...healthy,
      doGenerate: (request) => current().doGenerate(request),
      doStream: (request) => current().doStream(request),
    };
  };
  return { clock, engineClock: engineClockFromSleep(clock), factory, failing };
}

async function twinClient(
  snapshot: RegistrySnapshot,
  options: Partial<ModelClientOptions> = {},
): Promise<{ client: ModelClient; failing: Map<string, string>; now: () => number }> {
  const providers = switchableProviders();
  let counter = 0;
  const client = await createModelClient({
    registry: { snapshot },
    providers: { sim: providers.factory },
    clock: providers.engineClock,
    random: seededRandom(7),
    generateId: () => `decision-${(counter += 1)}`,
    decisionCache: false,
    onWarning: () => undefined,
    ...options,
  });
  return { client, failing: providers.failing, now: () => providers.clock.now() };
}

const lowRisk: ModelClientRequest = {
  messages: [{ role: 'user', content: 'Tell me about the lighthouse.' }],
  context: { taskType: 'general_chat', riskLevel: 'low' },
  maxOutputTokens: 40,
};

const crisisRisk: ModelClientRequest = {
  messages: [{ role: 'user', content: 'I do not want to be here any more.' }],
  context: { taskType: 'therapeutic_response', riskLevel: 'crisis' },
  maxOutputTokens: 40,
};

/** Share of `decisions` whose first candidate is `modelId`. */
function firstShare(firsts: readonly (string | undefined)[], modelId: string): number {
  return firsts.filter((first) => first === modelId).length / firsts.length;
}

/** Runs `count` requests, rating each answer with `rate`; returns each decision's first candidate. */
async function play(
  client: ModelClient,
  request: ModelClientRequest,
  count: number,
  rate: (modelId: string | undefined, decisionId: string) => void = () => undefined,
): Promise<(string | undefined)[]> {
  const firsts: (string | undefined)[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await client.chat(request);
    firsts.push(response.result.decision.candidates[0]?.modelId);
    rate(response.answeredBy, response.decisionId);
  }
  return firsts;
}

describe('a model client that learns from its traffic', () => {
  it('moves low-risk traffic away from a model that gets poor feedback; a client that does not learn keeps it', async () => {
    const snapshot = twinSnapshot({ explorationRate: 0.05 });
    const rateWobblyPoorly = (client: ModelClient) => (modelId: string | undefined, decisionId: string) => {
      client.feedback(decisionId, modelId === wobbly ? 0.1 : 0.9);
    };

    const learning = await twinClient(snapshot);
    const learned = await play(learning.client, lowRisk, 80, rateWobblyPoorly(learning.client));
    const control = await twinClient(snapshot, { learning: false });
    const unlearned = await play(control.client, lowRisk, 80, rateWobblyPoorly(control.client));

    expect(learned[0]).toBe(wobbly);
    expect(firstShare(learned.slice(-40), wobbly)).toBeLessThan(0.2);
    expect(firstShare(unlearned.slice(-40), wobbly)).toBeGreaterThan(0.5);

    const state = deserializeOptimizerState(learning.client.learnedState());
    const wobblyQuality = observedStats(state, wobbly, 'general_chat', learning.now())!;
    const steadyQuality = observedStats(state, steady, 'general_chat', learning.now())!;
    expect(wobblyQuality.qualityFailures).toBeGreaterThan(wobblyQuality.qualitySuccesses);
    expect(steadyQuality.qualitySuccesses).toBeGreaterThan(steadyQuality.qualityFailures);
    expect(control.client.learnedState()).toBeUndefined();
  });

  it('moves low-risk traffic away from a model that starts refusing, and says so in the decision', async () => {
    // Wobbly is tier 2, so its refusals fail over to steady (tier 3) and every request is answered.
    const snapshot = twinSnapshot({ explorationRate: 0.05, wobblyTier: 2 });
    const learning = await twinClient(snapshot);
    const control = await twinClient(snapshot, { learning: false });

    const before = await play(learning.client, lowRisk, 20);
    await play(control.client, lowRisk, 20);
    expect(firstShare(before, wobbly)).toBeGreaterThan(0.5);

    learning.failing.set(wobbly, 'content-policy');
    control.failing.set(wobbly, 'content-policy');
    const after = await play(learning.client, lowRisk, 60);
    const unlearned = await play(control.client, lowRisk, 60);
    expect(firstShare(after.slice(-30), wobbly)).toBeLessThan(0.2);
    expect(firstShare(unlearned.slice(-30), wobbly)).toBeGreaterThan(0.5);

    const response = await learning.client.chat(lowRisk);
    const wobblyCandidate = response.result.decision.candidates.find(({ modelId }) => modelId === wobbly);
    expect(wobblyCandidate?.reason).toMatch(/error rate \d+(\.\d+)?\s?% lowers its score/);
  });

  it('never explores at crisis risk, ranks by what it learned there, and still explores at low risk', async () => {
    const snapshot = twinSnapshot({ explorationRate: 0.5 });
    const { client } = await twinClient(snapshot);

    const crisisDecisions: { explored: boolean; exploratory: boolean; first: string | undefined }[] = [];
    for (let index = 0; index < 30; index += 1) {
      const response = await client.chat(crisisRisk);
      const decision = response.result.decision;
      crisisDecisions.push({
        explored: decision.explored,
        exploratory: decision.candidates.some((candidate) => candidate.exploratory),
        first: decision.candidates[0]?.modelId,
      });
      client.feedback(response.decisionId, response.answeredBy === wobbly ? 0 : 1);
    }
    expect(crisisDecisions.every(({ explored, exploratory }) => !explored && !exploratory)).toBe(true);
    expect(crisisDecisions.slice(-10).every(({ first }) => first === steady)).toBe(true);

    const lowRiskExplored: boolean[] = [];
    for (let index = 0; index < 30; index += 1) {
      lowRiskExplored.push((await client.chat(lowRisk)).result.decision.explored);
    }
    expect(lowRiskExplored.some(Boolean)).toBe(true);
  });

  it('maps game signals and safety-screen outcomes through core’s table, for decisions it remembers', async () => {
    const snapshot = twinSnapshot({ explorationRate: 0 });
    const signals: DecisionSignal[] = [];
    const { client, now } = await twinClient(snapshot, { onSignal: (signal) => signals.push(signal) });
    const quality = (modelId: string, taskType: 'general_chat' | 'safety_screening') => {
      const state = deserializeOptimizerState(client.learnedState());
      const stats = observedStats(state, modelId, taskType, now());
      return { successes: stats?.qualitySuccesses ?? 0, failures: stats?.qualityFailures ?? 0 };
    };

    const chat = await client.chat(lowRisk);
    const model = chat.answeredBy!;
    expect(client.signal(chat.decisionId, 'regenerated')).toBe(true);
    expect(quality(model, 'general_chat').failures).toBeCloseTo(0.75, 2);
    expect(client.signal(chat.decisionId, 'continued')).toBe(true);
    expect(quality(model, 'general_chat').successes).toBeCloseTo(0.25, 2);
    expect(signals.map(({ signal, modelId }) => [signal, modelId])).toEqual([
      [{ type: 'regenerated' }, model],
      [{ type: 'continued' }, model],
    ]);

    const screen = await client.chat({ ...lowRisk, context: { taskType: 'safety_screening' } });
    expect(client.screenOutcome(screen.decisionId, 'missed')).toBe(true);
    expect(quality(screen.answeredBy!, 'safety_screening').failures).toBeCloseTo(3, 2);

    expect(client.signal('no-such-decision', 'abandoned')).toBe(false);
    expect(() => client.signal(chat.decisionId, 'shrugged' as 'abandoned')).toThrow(
      /expected one of continued, regenerated, abandoned/,
    );
    expect(() => client.screenOutcome(chat.decisionId, 'missed')).toThrow(/safety_screening/);
    expect(() => client.feedback(chat.decisionId, 1.5)).toThrow(RangeError);
  });

  it('starts from the fleet state its registry source offers, and does not count its own attempts twice', async () => {
    const snapshot = twinSnapshot({ explorationRate: 0 });
    // The fleet saw wobbly fail 40 times out of 50 on general chat in the last minute.
    const fleet = createOptimizerState();
    const startedAt = Date.UTC(2026, 0, 1) - 60_000;
    for (let index = 0; index < 50; index += 1) {
      recordOutcome(fleet, {
        modelId: wobbly,
        taskType: 'general_chat',
        now: startedAt + index * 1000,
        ok: index % 5 === 0,
        errorKind: 'server',
        totalMs: 900,
        timeToFirstTokenMs: 150,
        outputTokens: 40,
      });
    }
    const listeners = new Set<(state: OptimizerState) => void>();
    const source: RegistrySource = {
      current: () => snapshot,
      subscribe: () => () => undefined,
      close: () => Promise.resolve(),
      optimizerState: () => fleet,
      subscribeOptimizerState: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const { client } = await twinClient(snapshot, {
      registry: source,
      telemetry: createMemoryTelemetrySink(),
    });

    const firsts = await play(client, lowRisk, 20);
    expect(firstShare(firsts, wobbly)).toBeLessThan(0.2);
    const attemptsOf = (modelId: string) => {
      const state = deserializeOptimizerState(client.learnedState());
      return observedStats(state, modelId, 'general_chat', Date.UTC(2026, 0, 1))?.attempts ?? 0;
    };
    const steadyAttempts = attemptsOf(steady);
    expect(steadyAttempts).toBeGreaterThan(15);

    // The control plane publishes a state that now holds those attempts: adopting it must not add them again.
    const published = deserializeOptimizerState(client.learnedState());
    for (const listener of listeners) listener(published);
    expect(attemptsOf(steady)).toBeCloseTo(steadyAttempts, 6);
    expect(listeners.size).toBe(1);
    await client.close();
    expect(listeners.size).toBe(0);
  });

  it('ignores, with a warning, a fleet state whose short quality memory differs from its own', async () => {
    const snapshot = twinSnapshot({ explorationRate: 0 });
    // Same long half-lives as the client, another recentQualityMs: core cannot merge the two.
    const fleet = createOptimizerState({ halfLives: { recentQualityMs: 5 * 60_000 } });
    recordOutcome(fleet, { modelId: wobbly, taskType: 'general_chat', now: Date.UTC(2026, 0, 1), ok: false });
    const warnings: string[] = [];
    const source: RegistrySource = {
      current: () => snapshot,
      subscribe: () => () => undefined,
      close: () => Promise.resolve(),
      optimizerState: () => fleet,
    };
    const { client } = await twinClient(snapshot, {
      registry: source,
      onWarning: (message) => warnings.push(message),
    });

    expect(warnings.some((message) => /half-lives/.test(message) && /recentQualityMs/.test(message))).toBe(
      true,
    );
    const answer = await client.chat(lowRisk);
    expect(answer.answeredBy).toBe(wobbly);
    expect(deserializeOptimizerState(client.learnedState()).halfLives.recentQualityMs).toBe(10 * 60_000);
    await client.close();
  });
});
