/**
 * Shared set-up of the engine's tests: registry models, a policy with short timeouts, decisions,
 * simulated adapters with fault behaviours, and a reader that collects what a streaming caller
 * sees. Every model is a `ModelSpec` the engine looks up, so prices, prefill and safety tiers are
 * the ones a real registry would give.
 */
import {
  buildRegistrySnapshot,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type Decision,
  type ModelSpecInput,
  type PolicyTimeouts,
  type ProviderErrorKind,
  type RegistrySnapshot,
  type RiskLevel,
  type RoutingPolicyInput,
} from '@switchboard/core';
import {
  createSimulatedAdapter,
  createVirtualClock,
  type SimulatedAdapterOptions,
  type VirtualClock,
} from '@switchboard/provider-sim';
import { createInMemoryCircuitRegistry, type InMemoryCircuitRegistry } from '../circuit-registry.ts';
import { engineClockFromSleep, type EngineClock } from '../engine-clock.ts';
import type { EngineEvent } from '../engine-event.ts';
import { execute } from '../execute.ts';
import type { ExecuteOptions } from '../execute-options.ts';
import type { EngineExecution, EnginePart } from '../execution-result.ts';

/** Registry fields of a test model; everything not given qualifies everywhere. */
export interface TestModelOptions {
  provider?: string;
  safetyTier?: 0 | 1 | 2 | 3;
  assistantPrefill?: boolean;
  streaming?: boolean;
  contextWindow?: number;
  maxOutputTokens?: number;
}

/** A priced, safe, capable model, so a test changes only the field its rule is about. */
export function testModel(id: string, options: TestModelOptions = {}): ModelSpecInput {
  return {
    id,
    provider: options.provider ?? 'sim',
    providerModel: id,
    contextWindow: options.contextWindow ?? 32_768,
    maxOutputTokens: options.maxOutputTokens ?? 4_096,
    capabilities: {
      streaming: options.streaming ?? true,
      tools: true,
      jsonMode: true,
      systemRole: true,
      assistantPrefill: options.assistantPrefill ?? false,
    },
    price: { inputPerMillionMicros: 1_000_000, outputPerMillionMicros: 2_000_000, version: 'test-prices-1' },
    privacy: { local: true, zeroRetention: true },
    safetyTier: options.safetyTier ?? 3,
    qualityPriors: { default: 0.7, byTask: {} },
    latencyPriors: { timeToFirstTokenP50Ms: 5, timeToFirstTokenP95Ms: 20, outputTokensPerSecond: 5_000 },
  };
}

/** Short timeouts so a silent model costs milliseconds, not seconds. */
export const testTimeouts: PolicyTimeouts = {
  headersMs: 1_000,
  firstTokenMs: 150,
  idleMs: 100,
  totalMs: 5_000,
};

/** A snapshot with the models and one policy named `test` that governs every decision below. */
export function testRegistry(
  models: ModelSpecInput[],
  policy: Partial<Omit<RoutingPolicyInput, 'name' | 'timeouts'>> & {
    timeouts?: Partial<PolicyTimeouts>;
  } = {},
): RegistrySnapshot {
  const providers = [...new Set(models.map((model) => model.provider))].map((id) => ({
    id,
    kind: 'sim' as const,
  }));
  const { timeouts, ...rest } = policy;
  return buildRegistrySnapshot(
    { providers, models, policies: [{ name: 'test', ...rest, timeouts: { ...testTimeouts, ...timeouts } }] },
    { version: 1, createdAt: '2025-01-01T00:00:00.000Z' },
  );
}

/** A decision ranking `modelIds` in order, as selection would hand it over. */
export function testDecision(modelIds: string[], riskLevel: RiskLevel = 'none'): Decision {
  return {
    policyName: 'test',
    taskType: 'narrative_generation',
    riskLevel,
    snapshotVersion: 1,
    candidates: modelIds.map((modelId, index) => ({
      modelId,
      score: 1 - index / 10,
      components: { quality: 0.7, latency: 0.5, cost: 0.5 },
      estimatedCostMicros: 100,
      expectedTimeToFirstTokenMs: 5,
      circuit: 'closed',
      exploratory: false,
      reason: 'test candidate',
    })),
    rejections: [],
    parameters: { temperature: 0.7, topP: 1, maxOutputTokens: 512 },
    explored: false,
    weights: { quality: 1, latency: 1, cost: 1 },
    summary: `test decision over ${modelIds.join(', ')}`,
  };
}

/** What the player asked; the simulated models answer it with the canonical answer. */
export const testRequest: ChatRequest = {
  messages: [
    { role: 'system', content: 'You narrate a gentle text adventure.' },
    { role: 'user', content: 'I step into the greenhouse.' },
  ],
};

/** Fast timing for simulated models: first token after 5 ms, then as fast as timers allow. */
export const fastTiming = { timeToFirstTokenMs: 5, outputTokensPerSecond: 5_000 } as const;

/** A simulated model answering as the fault server's `behaviour` would, in process. */
export function sim(
  modelId: string,
  behaviour: string,
  options: Omit<SimulatedAdapterOptions, 'behaviour' | 'modelId'> = {},
): ChatModelAdapterV1 {
  return createSimulatedAdapter({
    providerModel: modelId,
    provider: 'sim',
    ...fastTiming,
    ...options,
    modelId,
    behaviour,
  });
}

/** An adapter whose n-th call goes to the n-th adapter (the last one serves the rest). */
export function scripted(adapters: ChatModelAdapterV1[]): ChatModelAdapterV1 & { calls: ChatRequest[] } {
  const first = adapters[0];
  if (first === undefined) throw new Error('scripted() needs at least one adapter');
  const calls: ChatRequest[] = [];
  const pick = (): ChatModelAdapterV1 => adapters[Math.min(calls.length - 1, adapters.length - 1)] ?? first;
  return {
    specificationVersion: 'v1',
    provider: first.provider,
    providerModel: first.providerModel,
    calls,
    doGenerate(request) {
      calls.push(request);
      return pick().doGenerate(request);
    },
    doStream(request) {
      calls.push(request);
      return pick().doStream(request);
    },
  };
}

/** An adapter that fails every call at once with `kind`, as a provider that refuses would. */
export function failing(modelId: string, kind: ProviderErrorKind, provider = 'sim'): ChatModelAdapterV1 {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new ProviderError({
        kind,
        status: 400,
        message: `Refused (${kind}).`,
        provider,
        modelId,
        providerMessage: `refused: ${kind}`,
      }),
    );
  return {
    specificationVersion: 'v1',
    provider,
    providerModel: modelId,
    doGenerate: refuse,
    doStream: refuse,
  };
}

/** A virtual clock shared by the engine and the simulated models, so time is exact and free. */
export function virtualTime(): { virtual: VirtualClock; clock: EngineClock } {
  const virtual = createVirtualClock(1_000_000);
  return { virtual, clock: engineClockFromSleep(virtual) };
}

/** Everything a test run needs besides the decision: fresh breakers, recorded events. */
export interface TestRun {
  circuits: InMemoryCircuitRegistry;
  events: EngineEvent[];
  execute(
    options: Partial<ExecuteOptions> & Pick<ExecuteOptions, 'decision' | 'registry' | 'adapters'>,
  ): EngineExecution;
}

/** Runs `execute` with fresh breakers, a fixed random source and recorded events. */
export function testRun(): TestRun {
  const circuits = createInMemoryCircuitRegistry();
  const events: EngineEvent[] = [];
  return {
    circuits,
    events,
    execute: (options) =>
      execute({
        request: testRequest,
        circuits,
        random: () => 0.5,
        onEvent: (event) => events.push(event),
        ...options,
      }),
  };
}

/** What a streaming caller saw: the parts in order, the joined text, and how iteration ended. */
export interface CallerView {
  parts: EnginePart[];
  text: string;
  error: unknown;
}

/** Reads an execution as a streaming caller does. */
export async function readAsCaller(execution: EngineExecution): Promise<CallerView> {
  const parts: EnginePart[] = [];
  let text = '';
  let error: unknown;
  try {
    for await (const part of execution) {
      parts.push(part);
      if (part.type === 'text-delta') text += part.delta;
    }
  } catch (caught) {
    error = caught;
  }
  return { parts, text, error };
}

/** Attempts per model id, in start order. */
export function attemptsByModel(attempts: readonly { modelId: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) counts[attempt.modelId] = (counts[attempt.modelId] ?? 0) + 1;
  return counts;
}
