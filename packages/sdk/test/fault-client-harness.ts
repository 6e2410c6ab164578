/**
 * Shared set-up of the SDK's acceptance tests: a registry whose models live on the fault server
 * (the model's `providerModel` is a fault behaviour with a `#scope` of its own), the real adapter
 * factories (`@switchboard/provider-openai`, `@switchboard/provider-anthropic`), a recorder of what
 * each model was sent, and readers for what a caller and the server saw.
 */
import {
  buildRegistrySnapshot,
  type ChatMessage,
  type ChatModelAdapterV1,
  type ModelSpecInput,
  type ProviderSpecInput,
  type RegistrySnapshot,
  type RoutingPolicyInput,
} from '@switchboard/core';
import { createAdapterFromProviderSpec as createAnthropicAdapterFromProviderSpec } from '@switchboard/provider-anthropic';
import { createOpenAICompatibleAdapter } from '@switchboard/provider-openai';
import type { FaultAttempt, FaultServer } from '@switchboard/provider-sim/testing';
import { expect } from 'vitest';
import type {
  EnginePart,
  ModelClientResponse,
  ModelClientStream,
  ProviderAdapterFactory,
} from '../src/index.ts';

/**
 * Deadlines small enough that a failing model costs a fraction of a second, large enough that a
 * healthy fault-server answer (about 80 chunks, 2 ms apart) never trips them on a busy machine.
 */
export const testTimeouts = Object.freeze({ headersMs: 500, firstTokenMs: 300, idleMs: 250, totalMs: 5_000 });

/** Every test model's price: 3 USD per million prompt tokens, 15 per million output tokens. */
export const testPrice = Object.freeze({
  inputPerMillionMicros: 3_000_000,
  outputPerMillionMicros: 15_000_000,
  version: 'acceptance-2026-01',
});

/** What {@link testPrice} charges, in micro-dollars: integer arithmetic, as the ledger must do it. */
export function expectedCostMicros(inputTokens: number, outputTokens: number): number {
  return 3 * inputTokens + 15 * outputTokens;
}

/** The prompt tokens the fault server reports for prompts of this many characters. */
export function serverPromptTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** Which wire format (and adapter) a model is reached through. */
export type FaultRoute = 'openai' | 'anthropic';

/** Provider ids of the two fault-server routes. */
export const providerIdOf: Readonly<Record<FaultRoute, string>> = Object.freeze({
  openai: 'fault-openai',
  anthropic: 'fault-anthropic',
});

/** A registry model served by the fault server. */
export interface FaultModelOptions {
  /** Registry id. */
  id: string;
  /** A fault behaviour name (`healthy`, `cut-after-12`, ...). */
  behaviour: string;
  /** Keeps this model's server-side state and recorded attempts apart from every other model's. */
  scope: string;
  /** Default `openai`. */
  route?: FaultRoute | undefined;
  /** Overrides the provider id (a second route to another server). */
  provider?: string | undefined;
  contextWindow?: number | undefined;
  maxOutputTokens?: number | undefined;
  assistantPrefill?: boolean | undefined;
  streaming?: boolean | undefined;
  safetyTier?: 0 | 1 | 2 | 3 | undefined;
  /** Quality prior; at elevated and crisis risk the ranking follows it exactly. Default 0.8. */
  quality?: number | undefined;
}

/** The wire name of a fault model: behaviour and scope. */
export function wireNameOf(options: Pick<FaultModelOptions, 'behaviour' | 'scope'>): string {
  return `${options.behaviour}#${options.scope}`;
}

/** The registry entry of a fault model. */
export function faultModel(options: FaultModelOptions): ModelSpecInput {
  const contextWindow = options.contextWindow ?? 16_384;
  return {
    id: options.id,
    provider: options.provider ?? providerIdOf[options.route ?? 'openai'],
    providerModel: wireNameOf(options),
    contextWindow,
    maxOutputTokens: options.maxOutputTokens ?? Math.min(1_024, contextWindow),
    capabilities: {
      streaming: options.streaming ?? true,
      tools: false,
      jsonMode: false,
      systemRole: true,
      assistantPrefill: options.assistantPrefill ?? false,
    },
    price: { ...testPrice },
    safetyTier: options.safetyTier ?? 2,
    qualityPriors: { default: options.quality ?? 0.8 },
    latencyPriors: { timeToFirstTokenP50Ms: 40, timeToFirstTokenP95Ms: 120, outputTokensPerSecond: 400 },
  };
}

/** The two fault-server routes as registry providers (no API key: the fault server takes any). */
export function faultProviders(server: FaultServer): ProviderSpecInput[] {
  return [
    { id: providerIdOf.openai, kind: 'openai-compatible', baseUrl: server.openaiBaseUrl },
    { id: providerIdOf.anthropic, kind: 'anthropic', baseUrl: server.anthropicBaseUrl },
  ];
}

/**
 * A snapshot of the given models and providers with one policy, `default`, that allows exactly
 * these models, never explores, and has the short test deadlines (overridable).
 */
export function faultSnapshot(
  providers: ProviderSpecInput[],
  models: ModelSpecInput[],
  policy: Partial<RoutingPolicyInput> = {},
): RegistrySnapshot {
  return buildRegistrySnapshot(
    {
      providers,
      models,
      policies: [
        {
          name: 'default',
          allowModels: models.map((model) => model.id),
          explorationRate: 0,
          maxCandidates: 4,
          ...policy,
          timeouts: { ...testTimeouts, ...policy.timeouts },
        },
      ],
    },
    { version: 1, createdAt: '2026-01-01T00:00:00.000Z' },
  );
}

/** One request as a model's adapter received it, after the client fitted it to that model. */
export interface ReceivedRequest {
  modelId: string;
  messages: ChatMessage[];
  maxOutputTokens: number | undefined;
}

/**
 * The client's `providers` option with the real adapters: the OpenAI-compatible adapter for
 * `openai-compatible` providers, the Anthropic adapter for `anthropic` ones. When `received` is
 * given, every request each adapter is sent is recorded there first.
 */
export function realProviderFactories(received?: ReceivedRequest[]): Record<string, ProviderAdapterFactory> {
  const recorded =
    (factory: ProviderAdapterFactory): ProviderAdapterFactory =>
    (provider, model) => {
      const inner = factory(provider, model);
      if (received === undefined) return inner;
      const record = (request: Parameters<ChatModelAdapterV1['doStream']>[0]): void => {
        received.push({
          modelId: model.id,
          messages: request.messages,
          maxOutputTokens: request.maxOutputTokens,
        });
      };
      return {
        specificationVersion: 'v1',
        provider: inner.provider,
        providerModel: inner.providerModel,
        doGenerate: (request) => {
          record(request);
          return inner.doGenerate(request);
        },
        doStream: (request) => {
          record(request);
          return inner.doStream(request);
        },
      };
    };
  return {
    'openai-compatible': recorded((provider, model) =>
      createOpenAICompatibleAdapter({
        provider: provider.id,
        modelId: model.id,
        providerModel: model.providerModel,
        baseUrl: provider.baseUrl,
      }),
    ),
    anthropic: recorded((provider, model) =>
      createAnthropicAdapterFromProviderSpec(provider, model, {
        env: { ANTHROPIC_API_KEY: 'sk-ant-acceptance-test' },
      }),
    ),
  };
}

/** The requests the fault server received for one model (its wire name), in arrival order. */
export function attemptsOn(
  server: FaultServer,
  options: Pick<FaultModelOptions, 'behaviour' | 'scope'>,
): FaultAttempt[] {
  const name = wireNameOf(options);
  return server.attempts().filter((attempt) => attempt.model === name);
}

/**
 * The attempt-spacing rule as the provider sees it: never three requests to one model within
 * 1.5 s, whatever retries, failovers and continuations happened.
 */
export function expectAttemptSpacing(attempts: readonly FaultAttempt[]): void {
  for (let index = 2; index < attempts.length; index += 1) {
    const earlier = attempts[index - 2] as FaultAttempt;
    const later = attempts[index] as FaultAttempt;
    expect(
      later.arrivedAt - earlier.arrivedAt,
      `attempts ${index - 2} and ${index} of ${later.model}`,
    ).toBeGreaterThanOrEqual(1_500);
  }
}

/** What a streaming caller saw: the text deltas, the parts in order, and the final response. */
export interface StreamedAnswer {
  /** The text deltas joined, exactly as a game would have shown them. */
  text: string;
  parts: EnginePart[];
  response: ModelClientResponse;
}

/** Reads a client stream to its end; rejects with the `ExecutionError` the stream ends with. */
export async function readStream(stream: ModelClientStream): Promise<StreamedAnswer> {
  const parts: EnginePart[] = [];
  let text = '';
  for await (const part of stream) {
    parts.push(part);
    if (part.type === 'text-delta') text += part.delta;
  }
  return { text, parts, response: await stream.response };
}

/** Resolves with the rejection of a promise that must fail (and fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail, but it answered');
}

/** Milliseconds since `startedAt` (a `performance.now()` reading). */
export function elapsedSince(startedAt: number): number {
  return performance.now() - startedAt;
}
