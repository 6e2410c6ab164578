import {
  adviceFor,
  classifyTransportError,
  isProviderError,
  ProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type FinishReason,
  type GenerateResult,
  type StreamPart,
  type StreamResult,
  type StreamStitcher,
  type ToolCall,
  type Usage,
} from '@switchboard/core';
import type { EngineClock } from './engine-clock.ts';
import type { AttemptOutcome, AttemptRecord, DeadlineName } from './execution-result.ts';

/** The limits one attempt runs under. Durations in milliseconds; `...At` are clock instants. */
export interface AttemptLimits {
  /** Time for the stream to open (for a non-streaming call: for the whole answer). */
  headersMs: number;
  /** Time from the start to the first content; `Infinity` for a non-streaming call. */
  firstTokenMs: number;
  /** Longest gap between two parts once content flows. */
  idleMs: number;
  /** When the execution must stop trying: the caller's deadline (minus the crisis reserve). */
  stopAt: number;
  /** When to ask the host for a hedge if no content came yet; `undefined`: never. */
  hedgeAt: number | undefined;
}

/** What an attempt needs from the execution that runs it. */
export interface AttemptHost {
  readonly clock: EngineClock;
  /**
   * The attempt has its first content. Returns whether it may deliver it: false when another
   * attempt of the same round got there first, in which case the host has cancelled this one.
   */
  claim(run: AttemptRun): boolean;
  /** Text for the caller (already stitched when the attempt continues a partial answer). */
  deliver(run: AttemptRun, text: string): void;
  /** The attempt reached its `hedgeAt` without content. */
  hedgeDue(run: AttemptRun): void;
  /** The attempt ended; its record is final. Called exactly once. */
  settled(run: AttemptRun): void;
}

const connecting = 0;
const awaitingContent = 1;
const streaming = 2;
const ignore = (): void => undefined;

/**
 * One call to one model under its deadlines. One watchdog timer per attempt covers every deadline:
 * it is armed for the earliest one and, when it fires, either ends the attempt or re-arms for what
 * is due next, so a stream of many chunks costs no timer work per chunk (only a clock read). The
 * attempt ends itself, through its `AbortController`, whatever the adapter does: an adapter that
 * ignores the signal cannot hold the execution.
 */
export class AttemptRun {
  readonly record: AttemptRecord;
  /** Complete tool calls of the finished answer. */
  toolCalls: ToolCall[] = [];
  finishReason: FinishReason | undefined = undefined;
  /** Some of this attempt's text reached the caller. */
  delivered = false;
  /** The attempt has ended; nothing it receives afterwards counts. */
  done = false;

  private phase = connecting;
  private timer: unknown = undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private lastActivityAt = 0;
  private headersDeadline = 0;
  private firstTokenDeadline = 0;
  private hedgeAt: number | undefined;
  private iterator: AsyncIterator<StreamPart> | undefined = undefined;
  private completeToolCalls: ToolCall[] | undefined = undefined;
  private toolCallDeltas: ToolCall[] | undefined = undefined;
  private readonly onTimerBound = (): void => this.onTimer();
  private readonly onNextBound = (result: IteratorResult<StreamPart>): void => this.onNext(result);
  private readonly onFailureBound = (error: unknown): void =>
    this.fail(this.toProviderError(error), undefined);

  constructor(
    private readonly host: AttemptHost,
    private readonly adapter: ChatModelAdapterV1,
    record: AttemptRecord,
    private readonly limits: AttemptLimits,
    private readonly stitcher: StreamStitcher | undefined,
    private readonly controller: AbortController,
    private readonly generate: boolean,
  ) {
    this.record = record;
    this.hedgeAt = limits.hedgeAt;
  }

  /** Sends the request; everything after happens through callbacks. */
  start(request: ChatRequest): void {
    const startedAt = this.record.startedAt;
    this.headersDeadline = startedAt + this.limits.headersMs;
    this.firstTokenDeadline = startedAt + this.limits.firstTokenMs;
    this.arm(startedAt);
    try {
      if (this.generate) {
        this.adapter.doGenerate(request).then((result) => this.onGenerated(result), this.onFailureBound);
      } else {
        this.adapter.doStream(request).then((result) => this.onStream(result), this.onFailureBound);
      }
    } catch (error) {
      this.fail(this.toProviderError(error), undefined);
    }
  }

  /** Ends the attempt from outside: it lost a hedge race, or the execution was cancelled. */
  cancel(outcome: Extract<AttemptOutcome, 'hedge-lost' | 'aborted'>): void {
    if (this.done) return;
    const reason =
      outcome === 'hedge-lost'
        ? 'another attempt produced content first (hedge lost)'
        : 'the caller cancelled the request';
    const error = new ProviderError({
      kind: 'aborted',
      message: `The attempt on ${this.record.modelId} was aborted: ${reason}.`,
      provider: this.record.provider,
      modelId: this.record.modelId,
    });
    this.end(outcome, error, undefined);
  }

  private onStream(result: StreamResult): void {
    try {
      const iterator = result.stream[Symbol.asyncIterator]();
      if (this.done) {
        releaseIterator(iterator);
        return;
      }
      this.record.headersAt = this.host.clock.now();
      this.phase = awaitingContent;
      this.iterator = iterator;
    } catch (error) {
      // An adapter that resolves with something that is not a stream broke the contract.
      this.fail(this.toProviderError(error), undefined);
      return;
    }
    this.pull();
  }

  private pull(): void {
    try {
      (this.iterator as AsyncIterator<StreamPart>).next().then(this.onNextBound, this.onFailureBound);
    } catch (error) {
      this.fail(this.toProviderError(error), undefined);
    }
  }

  private onNext(result: IteratorResult<StreamPart>): void {
    if (this.done) return;
    try {
      this.handlePart(result);
    } catch (error) {
      this.fail(this.toProviderError(error), undefined);
    }
  }

  private handlePart(result: IteratorResult<StreamPart>): void {
    if (result.done === true) {
      this.fail(this.cutError(), undefined);
      return;
    }
    const part = result.value;
    switch (part.type) {
      case 'text-delta':
        if (part.delta !== '' && !this.onText(part.delta)) return;
        break;
      case 'tool-call-delta':
        if (!this.onContent()) return;
        this.addToolCallDelta(part);
        break;
      case 'tool-call':
        if (!this.onContent()) return;
        (this.completeToolCalls ??= []).push(part.toolCall);
        break;
      case 'finish':
        this.complete(part.finishReason, part.usage);
        return;
      case 'error':
        this.fail(this.toProviderError(part.error), undefined);
        return;
    }
    this.pull();
  }

  private onGenerated(result: GenerateResult): void {
    if (this.done) return;
    try {
      this.handleGenerated(result);
    } catch (error) {
      this.fail(this.toProviderError(error), undefined);
    }
  }

  private handleGenerated(result: GenerateResult): void {
    this.record.headersAt = this.host.clock.now();
    this.phase = awaitingContent;
    if (result.text !== '' && !this.onText(result.text)) return;
    if (result.toolCalls.length > 0) {
      if (!this.onContent()) return;
      this.completeToolCalls = result.toolCalls;
    }
    this.complete(result.finishReason, result.usage);
  }

  /** Text from the model: claims the round on the first, stitches, delivers. False once ended. */
  private onText(delta: string): boolean {
    if (!this.onContent()) return false;
    this.record.outputCharacters += delta.length;
    const text = this.stitcher === undefined ? delta : this.stitcher.push(delta);
    if (text !== '') {
      this.delivered = true;
      this.host.deliver(this, text);
    }
    return !this.done;
  }

  /** Any content: keeps the idle deadline fresh; the first one claims the round. */
  private onContent(): boolean {
    const now = this.host.clock.now();
    this.lastActivityAt = now;
    if (this.phase === streaming) return true;
    if (!this.host.claim(this) || this.done) return false;
    this.phase = streaming;
    this.record.firstTokenAt = now;
    this.record.headersAt ??= now;
    if (now + this.limits.idleMs < this.timerAt) this.arm(now);
    return true;
  }

  private complete(finishReason: FinishReason, usage: Usage): void {
    if (this.phase !== streaming) {
      // An empty answer (or tool calls only through `finish`) still has to win its round.
      if (!this.host.claim(this) || this.done) return;
      this.phase = streaming;
    }
    if (this.stitcher !== undefined) {
      const rest = this.stitcher.end();
      if (rest !== '') {
        this.delivered = true;
        this.host.deliver(this, rest);
      }
    }
    this.finishReason = finishReason;
    this.toolCalls = this.completeToolCalls ?? this.assembledToolCalls();
    this.record.usage = usage;
    this.end('ok', undefined, undefined);
  }

  private fail(error: ProviderError, deadline: DeadlineName | undefined): void {
    if (this.done) return;
    this.end(error.kind, error, deadline);
  }

  private end(
    outcome: AttemptOutcome,
    error: ProviderError | undefined,
    deadline: DeadlineName | undefined,
  ): void {
    this.done = true;
    if (this.timer !== undefined) {
      this.host.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    const record = this.record;
    record.outcome = outcome;
    record.error = error;
    record.deadline = deadline;
    record.endedAt = this.host.clock.now();
    if (outcome !== 'ok') this.controller.abort(error);
    const iterator = this.iterator;
    this.iterator = undefined;
    if (iterator !== undefined) releaseIterator(iterator);
    this.host.settled(this);
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.done) return;
    const now = this.host.clock.now();
    const expired = this.expiredDeadline(now);
    if (expired !== undefined) {
      this.fail(this.deadlineError(expired), expired);
      return;
    }
    if (this.hedgeAt !== undefined && this.phase !== streaming && now >= this.hedgeAt) {
      this.hedgeAt = undefined;
      this.host.hedgeDue(this);
      if (this.done) return;
    }
    this.arm(now);
  }

  private expiredDeadline(now: number): DeadlineName | undefined {
    if (this.phase === connecting && now >= this.headersDeadline) return 'headers';
    if (this.phase !== streaming && now >= this.firstTokenDeadline) return 'first-token';
    if (this.phase === streaming && now >= this.lastActivityAt + this.limits.idleMs) return 'idle';
    if (now >= this.limits.stopAt) return 'total';
    return undefined;
  }

  /** (Re-)arms the watchdog for the earliest deadline still ahead. */
  private arm(now: number): void {
    let next = this.limits.stopAt;
    if (this.phase === streaming) next = Math.min(next, this.lastActivityAt + this.limits.idleMs);
    else {
      next = Math.min(next, this.firstTokenDeadline);
      if (this.phase === connecting) next = Math.min(next, this.headersDeadline);
      if (this.hedgeAt !== undefined) next = Math.min(next, this.hedgeAt);
    }
    if (this.timer !== undefined) {
      if (next === this.timerAt) return;
      this.host.clock.clearTimer(this.timer);
    }
    this.timerAt = next;
    this.timer = this.host.clock.setTimer(this.onTimerBound, next - now);
  }

  private deadlineError(deadline: DeadlineName): ProviderError {
    const { modelId, provider } = this.record;
    const limits = this.limits;
    let kind: 'timeout' | 'stream_stall' = 'timeout';
    let message: string;
    switch (deadline) {
      case 'headers':
        message = `${modelId} did not open its response within ${limits.headersMs} ms (headers deadline)`;
        break;
      case 'first-token':
        message = `${modelId} sent no first token within ${limits.firstTokenMs} ms (first-token deadline)`;
        break;
      case 'idle':
        kind = 'stream_stall';
        message = `${modelId} sent nothing for ${limits.idleMs} ms in the middle of its answer (idle deadline)`;
        break;
      case 'total':
        message = `the request's deadline passed while ${modelId} was answering`;
        break;
    }
    return new ProviderError({ kind, message: `${message}: ${adviceFor(kind)}.`, provider, modelId });
  }

  private cutError(): ProviderError {
    const { modelId, provider } = this.record;
    return new ProviderError({
      kind: 'stream_cut',
      message: `The stream from ${modelId} ended without a finish: ${adviceFor('stream_cut')}.`,
      provider,
      modelId,
    });
  }

  private toProviderError(error: unknown): ProviderError {
    const { modelId, provider } = this.record;
    if (isProviderError(error))
      return error.modelId === undefined ? error.withModel(provider, modelId) : error;
    return classifyTransportError(error, { provider, modelId });
  }

  private addToolCallDelta(part: Extract<StreamPart, { type: 'tool-call-delta' }>): void {
    const calls = (this.toolCallDeltas ??= []);
    const call = calls[part.index] ?? { id: '', name: '', arguments: '' };
    calls[part.index] = {
      id: call.id || (part.id ?? ''),
      name: call.name || (part.name ?? ''),
      arguments: call.arguments + part.argumentsDelta,
    };
  }

  private assembledToolCalls(): ToolCall[] {
    return this.toolCallDeltas === undefined ? [] : this.toolCallDeltas.filter((call) => call !== undefined);
  }
}

/** Tells an adapter's stream we stopped reading, so it can close its connection; errors are moot. */
function releaseIterator(iterator: AsyncIterator<StreamPart>): void {
  try {
    iterator.return?.()?.then(ignore, ignore);
  } catch {
    // An adapter whose `return` throws has nothing left to release.
  }
}
