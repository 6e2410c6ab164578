import {
  adaptForModel,
  type ChatModelAdapterV1,
  type ChatRequest,
  type ModelCapabilities,
} from '@switchboard/core';

/**
 * Wraps an adapter so that every request it receives is first reshaped for the model's
 * capabilities with core's `adaptForModel`: a model without a system role gets the instructions
 * folded into the user turn, one without tools gets earlier tool rounds as text, and providers that
 * reject two turns of one role in a row (Anthropic) get them merged. Done per attempt, because the
 * engine decides which model runs next (failover, handoff) and extends the messages itself for a
 * continuation. A model that needs none of it gets the adapter back unwrapped.
 *
 * Unlike the SDK's session client, nothing is dropped to fit a window: a gateway caller sends the
 * whole conversation on purpose (an agent's history), selection already keeps out models whose
 * window is too small, and a provider's `context_length` refusal makes the engine re-select.
 */
export function capabilityAdaptedAdapter(
  inner: ChatModelAdapterV1,
  capabilities: Pick<ModelCapabilities, 'systemRole' | 'tools'>,
  alternateRoles: boolean,
): ChatModelAdapterV1 {
  if (capabilities.systemRole && capabilities.tools && !alternateRoles) return inner;
  const adapt = (request: ChatRequest): ChatRequest => ({
    ...request,
    messages: adaptForModel(request.messages, capabilities, { alternateRoles }),
  });
  return {
    specificationVersion: 'v1',
    provider: inner.provider,
    providerModel: inner.providerModel,
    doGenerate: (request) => inner.doGenerate(adapt(request)),
    doStream: (request) => inner.doStream(adapt(request)),
  };
}
