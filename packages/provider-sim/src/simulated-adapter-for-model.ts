import type { ChatModelAdapterV1, ModelSpec } from '@switchboard/core';
import { hashText } from './seeded-random.ts';
import { createSimulatedAdapter, type SimulatedAdapterOptions } from './simulated-adapter.ts';

/** The parts of a {@link ModelSpec} the simulator reads. */
export type SimulatedModelSpec = Pick<
  ModelSpec,
  'id' | 'provider' | 'providerModel' | 'contextWindow' | 'maxOutputTokens' | 'latencyPriors'
>;

/**
 * A simulated adapter for a registry model: its latency comes from the model's `latencyPriors`
 * (median and p95 time to first token, tokens per second), its limits from the context window and
 * maximum output, so the engine and selection see the same figures the registry promises. Options
 * override any of it (tests pass a virtual clock here).
 */
export function createSimulatedAdapterForModel(
  modelSpec: SimulatedModelSpec,
  options: SimulatedAdapterOptions = {},
): ChatModelAdapterV1 {
  return createSimulatedAdapter({
    providerModel: modelSpec.providerModel,
    provider: modelSpec.provider,
    modelId: modelSpec.id,
    seed: hashText(modelSpec.id),
    timeToFirstTokenMs: modelSpec.latencyPriors.timeToFirstTokenP50Ms,
    timeToFirstTokenP95Ms: modelSpec.latencyPriors.timeToFirstTokenP95Ms,
    outputTokensPerSecond: modelSpec.latencyPriors.outputTokensPerSecond,
    maxOutputTokens: modelSpec.maxOutputTokens,
    contextWindow: modelSpec.contextWindow,
    ...definedOnly(options),
  });
}

function definedOnly(options: SimulatedAdapterOptions): SimulatedAdapterOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as SimulatedAdapterOptions;
}
