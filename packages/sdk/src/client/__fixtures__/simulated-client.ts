import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  type ChatMessage,
  type ModelSpec,
  type RegistrySnapshot,
} from '@switchboard/core';
import {
  createSimulatedAdapterForModel,
  createVirtualClock,
  type VirtualClock,
} from '@switchboard/provider-sim';
import { engineClockFromSleep, type EngineClock } from '../../engine/index.ts';
import type { ProviderAdapterFactory } from '../model-client-types.ts';

/** The default registry's simulated models and policies only: every model answers in process. */
export function simulatedSnapshot(version = 1): RegistrySnapshot {
  const content = defaultRegistryContent();
  return buildRegistrySnapshot(
    {
      ...content,
      providers: content.providers.filter((provider) => provider.kind === 'sim'),
      models: content.models.filter((model) => model.provider === 'sim'),
    },
    { version, createdAt: '2026-01-01T00:00:00.000Z' },
  );
}

/** One request as a simulated model received it. */
export interface ReceivedRequest {
  modelId: string;
  messages: ChatMessage[];
}

/** Simulated models on a virtual clock, recording what each was sent; behaviours per model id. */
export interface SimulatedProviders {
  clock: VirtualClock;
  engineClock: EngineClock;
  factory: ProviderAdapterFactory;
  received: ReceivedRequest[];
  /** A fault-server behaviour (`unavailable`, `cut-after-3`, ...) per model id; unset: healthy. */
  behaviours: Map<string, string>;
}

export function simulatedProviders(): SimulatedProviders {
  const clock = createVirtualClock(Date.UTC(2026, 0, 1));
  const received: ReceivedRequest[] = [];
  const behaviours = new Map<string, string>();
  const factory: ProviderAdapterFactory = (_provider, model: ModelSpec) => {
    const behaviour = behaviours.get(model.id);
    const inner = createSimulatedAdapterForModel(
      model,
      behaviour === undefined ? { clock } : { clock, behaviour },
    );
    return {
      ...inner,
      specificationVersion: 'v1',
      provider: inner.provider,
      providerModel: inner.providerModel,
      doGenerate: (request) => {
        received.push({ modelId: model.id, messages: request.messages });
        return inner.doGenerate(request);
      },
      doStream: (request) => {
        received.push({ modelId: model.id, messages: request.messages });
        return inner.doStream(request);
      },
    };
  };
  return { clock, engineClock: engineClockFromSleep(clock), factory, received, behaviours };
}
