import {
  adviceFor,
  classifyHttpError,
  classifyTransportError,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type FinishReason,
  type GenerateResult,
  type ProviderErrorKind,
  type StreamDiagnostics,
  type StreamPart,
  type StreamResult,
  type ToolCall,
  type Usage,
} from '@switchboard/core';
import { CONTENT_POLICY_MESSAGE, faultErrorResponse } from './fault-error-responses.ts';
import { parseFaultModel } from './fault-behaviour.ts';
import {
  buildFaultAnswer,
  decideFault,
  endsEarly,
  FaultScopes,
  piecesBeforeEnding,
  type FaultEnding,
  type FaultRequestFacts,
} from './fault-decision.ts';
import { realClock, type SimulatedClock } from './simulated-clock.ts';
import { isSimulatedProfileName, simulatedProfiles } from './simulated-profiles.ts';
import { composeSimulatedText, continuePrefill, type SimulatedTextStyle } from './simulated-text.ts';
import { createSeededRandom, hashText, type RandomSource } from './seeded-random.ts';
import { estimateTokensFromCharacters, splitIntoTokens } from './token-chunks.ts';

/** How to build a simulated model. Every field is optional; a profile name fills in the timing. */
export interface SimulatedAdapterOptions {
  /**
   * The model's name. One of the profiles (`fast-small`, `creative-large`, `safety-tuned`, `local`)
   * brings that profile's latency and verbosity; any other name gets moderate defaults.
   */
  providerModel?: string | undefined;
  /** Provider id reported on the adapter and on errors. Default `sim`. */
  provider?: string | undefined;
  /** Registry model id named in errors. Default: the provider model name. */
  modelId?: string | undefined;
  /** Seeds the answers and the random source: the same seed gives the same answers. Default 1. */
  seed?: number | undefined;
  /** Median time to first token, ms. */
  timeToFirstTokenMs?: number | undefined;
  /** 95th percentile time to first token, ms; with it the first-token latency varies (log-normal). */
  timeToFirstTokenP95Ms?: number | undefined;
  /** Output speed; `Infinity` sends every token at once after the first. */
  outputTokensPerSecond?: number | undefined;
  /** Longest answer in tokens; longer answers stop with finish reason `length`. */
  maxOutputTokens?: number | undefined;
  /** Prompt size in tokens above which calls fail with `context_length`. Unset: no limit. */
  contextWindow?: number | undefined;
  /** Probability per call of each failure kind, e.g. `{ server: 0.05 }`; drawn from `random`. */
  errorRates?: Partial<Record<ProviderErrorKind, number>> | undefined;
  /**
   * A fault-server behaviour name (`healthy`, `cut-after-5`, `server-error-once#t1`, ...). With it
   * the simulator answers exactly as the fault server would (the canonical answer, the same errors),
   * in process: the adapter conformance suite runs against it unchanged.
   */
  behaviour?: string | undefined;
  /** Where time comes from. Default: real timers. Use `createVirtualClock()` for zero-latency tests. */
  clock?: SimulatedClock | undefined;
  /** Draws latency spread and injected failures. Default: a PRNG seeded with `seed`. */
  random?: RandomSource | undefined;
  /** How many sentences answers have. Default: the profile's. */
  style?: SimulatedTextStyle | undefined;
}

type SimulatedOutput =
  | { type: 'text'; pieces: readonly string[]; finishReason: FinishReason }
  | { type: 'tool-call'; toolCall: ToolCall; pieces: readonly string[]; finishReason: FinishReason };

type SimulatedPlan =
  | { type: 'fail'; error: ProviderError }
  | { type: 'hang' }
  | {
      type: 'answer';
      output: SimulatedOutput;
      inputTokens: number;
      firstTokenDelayMs: number;
      msPerToken: number;
      ending: FaultEnding;
      malformedAtPiece: number | undefined;
      responseId: string;
    };

const defaultTiming = { timeToFirstTokenMs: 250, outputTokensPerSecond: 50 };
const defaultStyle: SimulatedTextStyle = { minSentences: 3, maxSentences: 5 };
const statusByKind: Partial<Record<ProviderErrorKind, number>> = {
  rate_limited: 429,
  overloaded: 503,
  server: 500,
  timeout: 408,
  context_length: 400,
  content_filter: 400,
  auth: 401,
  bad_request: 400,
  prefill_unsupported: 400,
};

function promptCharacters(request: ChatRequest): number {
  return request.messages.reduce((sum, message) => {
    const calls = message.role === 'assistant' ? (message.toolCalls ?? []) : [];
    return sum + message.content.length + calls.reduce((inner, call) => inner + call.arguments.length, 0);
  }, 0);
}

function usageOf(inputTokens: number, outputTokens: number): Usage {
  return {
    inputTokens: { total: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, reasoning: 0 },
    raw: { input_tokens: inputTokens, output_tokens: outputTokens },
  };
}

function standardNormal(random: RandomSource): number {
  const first = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * random());
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function applyStopSequences(text: string, stop: readonly string[] | undefined): string {
  let end = text.length;
  for (const sequence of stop ?? []) {
    const at = sequence === '' ? -1 : text.indexOf(sequence);
    if (at !== -1) end = Math.min(end, at);
  }
  return text.slice(0, end);
}

/**
 * A simulated chat model, in process, no network: the embedded default's models and the engine's
 * test double. Answers are deterministic readable text fitted to the request (narration, dialogue,
 * choices, reflection, or a JSON safety verdict), streamed in token-sized chunks at the configured
 * latency, with usage and finish reasons like a real provider's. Failures come from `errorRates`
 * (random) or `behaviour` (the fault server's vocabulary, deterministic); aborts are honoured at once.
 */
export function createSimulatedAdapter(options: SimulatedAdapterOptions = {}): ChatModelAdapterV1 {
  const providerModel = options.providerModel ?? 'fast-small';
  const provider = options.provider ?? 'sim';
  const modelId = options.modelId ?? providerModel;
  const profile = isSimulatedProfileName(providerModel) ? simulatedProfiles[providerModel] : undefined;
  const seed = options.seed ?? 1;
  const clock = options.clock ?? realClock;
  const random = options.random ?? createSeededRandom(seed);
  const style = options.style ?? profile?.style ?? defaultStyle;
  const timeToFirstTokenMs =
    options.timeToFirstTokenMs ?? profile?.timeToFirstTokenMs ?? defaultTiming.timeToFirstTokenMs;
  const timeToFirstTokenP95Ms = options.timeToFirstTokenP95Ms ?? profile?.timeToFirstTokenP95Ms;
  const tokensPerSecond =
    options.outputTokensPerSecond ?? profile?.outputTokensPerSecond ?? defaultTiming.outputTokensPerSecond;
  const msPerToken = tokensPerSecond === Infinity || tokensPerSecond <= 0 ? 0 : 1000 / tokensPerSecond;
  const faultModel = options.behaviour === undefined ? undefined : parseFaultModel(options.behaviour);
  const scopes = new FaultScopes();
  const context = { provider, modelId };
  let callCount = 0;

  const abortedError = (): ProviderError =>
    new ProviderError({
      kind: 'aborted',
      message: `The call to ${modelId} was aborted by the caller before the answer completed.`,
      provider,
      modelId,
    });

  const injectedError = (kind: ProviderErrorKind): ProviderError =>
    new ProviderError({
      kind,
      status: statusByKind[kind],
      retryAfterMs: kind === 'rate_limited' ? 1000 : undefined,
      message: `Simulated ${kind} failure of ${modelId} (injected by errorRates): ${adviceFor(kind)}.`,
      provider,
      modelId,
      providerMessage: kind === 'content_filter' ? CONTENT_POLICY_MESSAGE : undefined,
    });

  const sampleFirstTokenDelay = (): number => {
    if (timeToFirstTokenP95Ms === undefined || timeToFirstTokenP95Ms <= timeToFirstTokenMs) {
      return timeToFirstTokenMs;
    }
    const sigma = Math.log(timeToFirstTokenP95Ms / timeToFirstTokenMs) / 1.6449;
    const sample = timeToFirstTokenMs * Math.exp(sigma * standardNormal(random));
    return Math.min(Math.max(sample, timeToFirstTokenMs / 4), timeToFirstTokenP95Ms * 2);
  };

  const drawInjectedKind = (): ProviderErrorKind | undefined => {
    const rates = Object.entries(options.errorRates ?? {}) as [ProviderErrorKind, number][];
    if (rates.length === 0) return undefined;
    let draw = random();
    for (const [kind, rate] of rates) {
      if (draw < rate) return kind;
      draw -= rate;
    }
    return undefined;
  };

  const maxTokensFor = (request: ChatRequest): number | undefined => {
    const limits = [request.maxOutputTokens, options.maxOutputTokens].filter(
      (limit): limit is number => limit !== undefined,
    );
    return limits.length === 0 ? undefined : Math.min(...limits);
  };

  const contentSeed = (request: ChatRequest): number =>
    hashText(
      JSON.stringify([seed, request.seed ?? null, request.responseFormat ?? 'text', request.messages]),
    );

  /** The fault-server path: the canonical answer and the fault vocabulary, in process. */
  const planFault = (
    request: ChatRequest,
    inputTokens: number,
    responseId: string,
  ): SimulatedPlan | undefined => {
    if (faultModel === undefined) return undefined;
    const last = request.messages.at(-1);
    const facts: FaultRequestFacts = {
      lastMessageRole: last?.role,
      prefillText: last?.role === 'assistant' ? last.content : undefined,
      firstToolName: request.toolChoice === 'none' ? undefined : request.tools?.[0]?.name,
      maxTokens: maxTokensFor(request),
    };
    if (faultModel.behaviour === undefined) {
      const response = faultErrorResponse({ name: 'unknown-model' }, 'openai', faultModel.name);
      return {
        type: 'fail',
        error: classifyHttpError(response.status, response.headers, response.body, context),
      };
    }
    const decision = decideFault(
      faultModel.behaviour,
      scopes.enter(faultModel.name, clock.now()),
      clock.now(),
      facts,
    );
    if (decision.type === 'error') {
      const response = faultErrorResponse(decision.error, 'openai', faultModel.name);
      return {
        type: 'fail',
        error: classifyHttpError(response.status, response.headers, response.body, context),
      };
    }
    if (decision.type === 'reset') {
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return { type: 'fail', error: classifyTransportError(reset, context) };
    }
    if (decision.type === 'hang') return { type: 'hang' };
    const answer = buildFaultAnswer(decision.content, facts);
    const output: SimulatedOutput =
      answer.type === 'tool-call'
        ? {
            type: 'tool-call',
            toolCall: {
              id: `call_${responseId}`,
              name: answer.name,
              arguments: answer.argumentChunks.join(''),
            },
            pieces: answer.argumentChunks,
            finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          }
        : {
            type: 'text',
            pieces: answer.tokens,
            finishReason: { unified: answer.finish, raw: answer.finish },
          };
    return {
      type: 'answer',
      output,
      inputTokens,
      firstTokenDelayMs: decision.firstTokenDelayMs + sampleFirstTokenDelay(),
      msPerToken,
      ending: decision.ending,
      malformedAtPiece: decision.malformedChunk ? Math.floor(output.pieces.length / 2) : undefined,
      responseId,
    };
  };

  /** The ordinary path: templated text (or a tool call), with randomly injected failures. */
  const planTemplated = (request: ChatRequest, inputTokens: number, responseId: string): SimulatedPlan => {
    if (options.contextWindow !== undefined && inputTokens > options.contextWindow) {
      const response = faultErrorResponse({ name: 'context-length' }, 'openai', providerModel);
      return {
        type: 'fail',
        error: classifyHttpError(response.status, response.headers, response.body, context),
      };
    }
    let ending: FaultEnding = { type: 'complete' };
    const injected = drawInjectedKind();
    if (injected !== undefined && injected !== 'stream_cut' && injected !== 'stream_stall') {
      return { type: 'fail', error: injectedError(injected) };
    }
    const contentRandom = createSeededRandom(contentSeed(request));
    const toolChoice = request.toolChoice;
    const tools = request.tools ?? [];
    const wantsTool = tools.length > 0 && (toolChoice === 'required' || typeof toolChoice === 'object');
    let output: SimulatedOutput;
    if (wantsTool) {
      const named =
        typeof toolChoice === 'object' ? tools.find((tool) => tool.name === toolChoice.name) : undefined;
      const tool = named ?? tools[0];
      output = {
        type: 'tool-call',
        toolCall: { id: `call_${responseId}`, name: tool?.name ?? 'unknown', arguments: '{}' },
        pieces: ['{}'],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      };
    } else {
      const last = request.messages.at(-1);
      const composed = composeSimulatedText(request, contentRandom, style);
      const continued = last?.role === 'assistant' ? continuePrefill(last.content, composed) : composed;
      const text = applyStopSequences(continued, request.stop);
      const tokens = splitIntoTokens(text);
      const limit = maxTokensFor(request);
      const truncated = limit !== undefined && tokens.length > limit;
      output = {
        type: 'text',
        pieces: truncated ? tokens.slice(0, limit) : tokens,
        finishReason: truncated ? { unified: 'length', raw: 'length' } : { unified: 'stop', raw: 'stop' },
      };
    }
    if (injected === 'stream_cut' || injected === 'stream_stall') {
      const afterTokens = Math.floor(random() * output.pieces.length);
      ending = injected === 'stream_cut' ? { type: 'cut', afterTokens } : { type: 'stall', afterTokens };
    }
    return {
      type: 'answer',
      output,
      inputTokens,
      firstTokenDelayMs: sampleFirstTokenDelay(),
      msPerToken,
      ending,
      malformedAtPiece: undefined,
      responseId,
    };
  };

  const plan = (request: ChatRequest): SimulatedPlan => {
    callCount += 1;
    const inputTokens = estimateTokensFromCharacters(promptCharacters(request));
    const responseId = `sim-${contentSeed(request).toString(36)}-${callCount}`;
    return planFault(request, inputTokens, responseId) ?? planTemplated(request, inputTokens, responseId);
  };

  /** Waits until `due` on the clock; false when the caller aborted meanwhile. */
  const waitUntil = async (due: number, signal: AbortSignal | undefined): Promise<boolean> => {
    try {
      await clock.sleep(Math.max(0, due - clock.now()), signal);
      return signal?.aborted !== true;
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    }
  };

  async function* streamParts(
    answer: Extract<SimulatedPlan, { type: 'answer' }>,
    signal: AbortSignal | undefined,
    diagnostics: StreamDiagnostics,
  ): AsyncGenerator<StreamPart> {
    const startedAt = clock.now();
    const { output } = answer;
    const stopAt = piecesBeforeEnding(answer.ending, output.pieces.length);
    for (let index = 0; index < stopAt; index += 1) {
      const piece = output.pieces[index] ?? '';
      const due = startedAt + answer.firstTokenDelayMs + index * answer.msPerToken;
      if (!(await waitUntil(due, signal))) {
        yield { type: 'error', error: abortedError() };
        return;
      }
      if (answer.malformedAtPiece === index) diagnostics.malformedChunksSkipped += 1;
      if (output.type === 'text') yield { type: 'text-delta', delta: piece };
      else if (index === 0) {
        yield {
          type: 'tool-call-delta',
          index: 0,
          id: output.toolCall.id,
          name: output.toolCall.name,
          argumentsDelta: piece,
        };
      } else yield { type: 'tool-call-delta', index: 0, argumentsDelta: piece };
    }
    const ending = answer.ending.type;
    if (ending === 'cut' || ending === 'drop') {
      yield {
        type: 'error',
        error: new ProviderError({
          kind: 'stream_cut',
          message: `The stream from ${modelId} ended after ${stopAt} tokens without a finish: ${adviceFor('stream_cut')}.`,
          provider,
          modelId,
        }),
      };
      return;
    }
    if (ending === 'stall') {
      await waitForAbort(signal);
      yield { type: 'error', error: abortedError() };
      return;
    }
    if (output.type === 'tool-call') yield { type: 'tool-call', toolCall: output.toolCall };
    yield {
      type: 'finish',
      finishReason: output.finishReason,
      usage: usageOf(answer.inputTokens, stopAt),
      response: { id: answer.responseId, modelId: providerModel },
    };
  }

  const start = async (request: ChatRequest): Promise<Extract<SimulatedPlan, { type: 'answer' }>> => {
    const signal = request.abortSignal;
    if (signal?.aborted) throw abortedError();
    const planned = plan(request);
    if (planned.type === 'fail') throw planned.error;
    if (planned.type === 'hang') {
      await waitForAbort(signal);
      throw abortedError();
    }
    return planned;
  };

  return {
    specificationVersion: 'v1',
    provider,
    providerModel,

    async doGenerate(request: ChatRequest): Promise<GenerateResult> {
      const answer = await start(request);
      const signal = request.abortSignal;
      const { output } = answer;
      const stopAt = piecesBeforeEnding(answer.ending, output.pieces.length);
      const due = clock.now() + answer.firstTokenDelayMs + Math.max(0, stopAt - 1) * answer.msPerToken;
      if (!(await waitUntil(due, signal))) throw abortedError();
      if (answer.ending.type === 'stall') {
        await waitForAbort(signal);
        throw abortedError();
      }
      if (endsEarly(answer.ending)) {
        throw new ProviderError({
          kind: 'stream_cut',
          message: `The answer from ${modelId} broke off after ${stopAt} tokens: ${adviceFor('stream_cut')}.`,
          provider,
          modelId,
        });
      }
      return {
        text: output.type === 'text' ? output.pieces.join('') : '',
        toolCalls: output.type === 'tool-call' ? [output.toolCall] : [],
        finishReason: output.finishReason,
        usage: usageOf(answer.inputTokens, output.pieces.length),
        response: { id: answer.responseId, modelId: providerModel },
      };
    },

    async doStream(request: ChatRequest): Promise<StreamResult> {
      const answer = await start(request);
      const diagnostics: StreamDiagnostics = { malformedChunksSkipped: 0 };
      return { stream: streamParts(answer, request.abortSignal, diagnostics), diagnostics };
    },
  };
}
