import type { ChatMessage } from '../spec/chat-model-adapter.ts';
import type { ModelSpec } from '../registry/model-spec.ts';
import type { AdaptForModelOptions } from './adapt-for-model.ts';
import { adaptForModel } from './adapt-for-model.ts';
import type { FitToWindowOptions, FitToWindowResult, Transcript } from './fit-to-window.ts';
import { fitToWindow } from './fit-to-window.ts';

/** Everything {@link fitToWindow} needs except the window, which comes from the model. */
export type TranscriptForModelOptions = Omit<FitToWindowOptions, 'windowTokens'> & AdaptForModelOptions;

/** Adapting can add a little text per message; a few rounds always settle it. */
const maximumRounds = 8;

/**
 * The transcript ready for one model: fitted to its window, then adapted to its capabilities.
 * Adapting can make the transcript longer (folded instructions, flattened tool turns), so when the
 * adapted transcript overflows, it is fitted again to a window smaller by the excess until it fits.
 * `tokens` counts the adapted messages; `marker` and `keptIndices` describe the fit, before adapting.
 */
export function transcriptForModel(
  transcript: Transcript,
  model: Pick<ModelSpec, 'contextWindow' | 'capabilities'>,
  options: TranscriptForModelOptions,
): FitToWindowResult {
  const budget = model.contextWindow - options.reserveOutputTokens;
  let windowTokens = model.contextWindow;
  let fitted: FitToWindowResult = fitToWindow(transcript, { ...options, windowTokens });
  for (let round = 0; round < maximumRounds && fitted.ok; round += 1) {
    const messages = adaptForModel(fitted.messages, model.capabilities, options);
    const tokens = countAll(messages, options.countTokens);
    if (tokens <= budget) return { ...fitted, messages, tokens };
    windowTokens -= tokens - budget;
    fitted = fitToWindow(transcript, { ...options, windowTokens });
  }
  if (!fitted.ok) {
    if (windowTokens === model.contextWindow) return fitted;
    return {
      ...fitted,
      reason:
        `${fitted.reason} (Adapting the transcript to this model takes ` +
        `${model.contextWindow - windowTokens} more tokens, so less of the window was left.)`,
    };
  }
  return {
    ok: false,
    kind: 'required-turns-exceed-window',
    reason:
      `The transcript adapted to this model did not fit in ${budget} tokens after ${maximumRounds} rounds of ` +
      'fitting. Choose a model with a larger context window or reserve fewer output tokens.',
    requiredTokens: countAll(
      adaptForModel(fitted.messages, model.capabilities, options),
      options.countTokens,
    ),
    availableTokens: budget,
  };
}

function countAll(messages: readonly ChatMessage[], countTokens: (message: ChatMessage) => number): number {
  return messages.reduce((total, message) => total + countTokens(message), 0);
}
