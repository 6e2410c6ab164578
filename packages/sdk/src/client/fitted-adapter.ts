import {
  ProviderError,
  tokenizerFamilyFor,
  transcriptForModel,
  type ChatMessage,
  type ChatModelAdapterV1,
  type ChatRequest,
  type ModelSpec,
} from '@switchboard/core';
import type { MessageTokenCounter } from './message-token-counter.ts';

/** What the transcript of one request keeps besides its messages, and how far it may be cut. */
export interface TranscriptFitting {
  /** Indices into the request's messages that must reach every model (a session's pinned turns). */
  pinned?: ReadonlySet<number> | undefined;
  /** The session's running summary, the text of the marker that replaces dropped turns. */
  summary?: string | undefined;
  /** The largest prompt any model is sent, in tokens; unset: as much as its window holds. */
  maxPromptTokens?: number | undefined;
  /** Summarises dropped turns for the marker (see core's `fitToWindow`). */
  summarise?: ((dropped: ChatMessage[]) => string) | undefined;
  counter: MessageTokenCounter;
}

/**
 * Wraps a model's adapter so that every request it receives is first fitted to that model's window
 * and adapted to its capabilities with core's `transcriptForModel`: the system prompt and pinned
 * turns always reach it, older turns give way to a summary marker, a model without a system role
 * gets the instructions folded into the user turn, one without tools gets tool rounds as text.
 *
 * Fitting happens per attempt, inside the engine, because the engine decides which model runs next
 * (failover, hedge, handoff) and extends the messages itself for a continuation. When even the
 * turns that may not be dropped do not fit, the attempt fails as `context_length` before anything
 * is sent, so the engine fails over to a model with a larger window.
 */
export function fittedAdapter(
  inner: ChatModelAdapterV1,
  model: ModelSpec,
  fitting: TranscriptFitting,
  alternateRoles: boolean,
): ChatModelAdapterV1 {
  const family = tokenizerFamilyFor(model);
  const fit = (request: ChatRequest): ChatRequest => {
    const outputTokens = request.maxOutputTokens ?? 0;
    // Tool definitions take prompt room too, and the reply priming is counted once.
    const overhead = fitting.counter.countPrompt([], family, request.tools);
    const window =
      fitting.maxPromptTokens === undefined
        ? model.contextWindow
        : Math.min(model.contextWindow, fitting.maxPromptTokens + outputTokens + overhead);
    const fitted = transcriptForModel(
      { messages: request.messages, pinned: fitting.pinned, summary: fitting.summary },
      { contextWindow: window, capabilities: model.capabilities },
      {
        reserveOutputTokens: outputTokens + overhead,
        countTokens: (message) => fitting.counter.count(message, family),
        summarise: fitting.summarise,
        alternateRoles,
      },
    );
    if (!fitted.ok) {
      throw new ProviderError({
        kind: 'context_length',
        message: `The conversation does not fit ${model.id}: ${fitted.reason}`,
        providerMessage: `the prompt needs ${fitted.requiredTokens + overhead} tokens`,
        provider: inner.provider,
        modelId: model.id,
      });
    }
    return { ...request, messages: fitted.messages };
  };
  return {
    specificationVersion: 'v1',
    provider: inner.provider,
    providerModel: inner.providerModel,
    doGenerate: async (request) => inner.doGenerate(fit(request)),
    doStream: async (request) => inner.doStream(fit(request)),
  };
}
