import {
  classifyHttpError,
  emptyUsage,
  type FinishReason,
  type ProviderError,
  type StreamDiagnostics,
  type StreamPart,
  type Usage,
} from '@switchboard/core';
import type { ErrorContext } from './map-openai-error.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIUsage } from './map-openai-usage.ts';
import {
  readArray,
  readCount,
  readNumber,
  readRecord,
  readString,
  type JsonRecord,
} from './wire/lenient-json.ts';

interface PendingToolCall {
  id: string | undefined;
  name: string;
  arguments: string;
}

/**
 * Turns the `data:` payloads of an OpenAI-compatible stream into our stream parts, one payload at
 * a time, and keeps what the end of the stream needs: the finish reason, the usage, the tool calls
 * assembled from their deltas. It does no I/O, so every ordering of chunks is testable without a
 * server; `openai-stream-reader.ts` drives it from the response body.
 */
export class OpenAIStreamAssembler {
  /** Parts produced by the payloads accepted so far and not yet taken. */
  private queue: StreamPart[] = [];
  private readonly toolCalls = new Map<number, PendingToolCall>();
  private responseId: string | undefined;
  private responseModel: string | undefined;
  /** The finish reason, once a chunk carried one. */
  finishReason: FinishReason | undefined;
  /** The usage, once a chunk carried one (with `include_usage`, usually a chunk after the finish). */
  usage: Usage | undefined;
  /** True once `data: [DONE]` arrived. */
  doneSeen = false;
  /** A provider error reported inside the stream (OpenRouter sends `{error}` chunks mid-answer). */
  error: ProviderError | undefined;
  /** Payloads that parsed as JSON objects. */
  validChunks = 0;

  constructor(
    private readonly context: ErrorContext,
    private readonly diagnostics: StreamDiagnostics,
  ) {}

  /** Accepts one event's data. A payload that is not a JSON object is skipped and counted. */
  accept(data: string): void {
    if (data === '[DONE]') {
      this.doneSeen = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      this.diagnostics.malformedChunksSkipped++;
      return;
    }
    const root = readRecord(chunk);
    if (root === undefined) {
      this.diagnostics.malformedChunksSkipped++;
      return;
    }
    this.validChunks++;
    if (root.error !== undefined && root.error !== null) {
      this.error = this.midStreamError(root.error);
      return;
    }
    if (this.responseId === undefined) this.responseId = readString(root.id);
    if (this.responseModel === undefined) this.responseModel = readString(root.model);
    // Groq reports stream usage under `x_groq.usage`.
    const usage = root.usage ?? readRecord(root.x_groq)?.usage;
    if (usage !== undefined && usage !== null) this.usage = mapOpenAIUsage(usage);
    const choice = readRecord(readArray(root.choices)?.[0]);
    if (choice === undefined) return;
    const delta = readRecord(choice.delta);
    if (delta !== undefined) this.acceptDelta(delta);
    const finish = choice.finish_reason;
    if (typeof finish === 'string' && finish !== '') this.finishReason = mapOpenAIFinishReason(finish);
  }

  /** Takes the parts produced since the last call. */
  take(): StreamPart[] {
    const parts = this.queue;
    this.queue = [];
    return parts;
  }

  /**
   * True when the answer is complete and the adapter may stop reading: the finish reason is in and
   * either the usage is too, or no usage was asked for, or the server said `[DONE]`.
   */
  isComplete(expectUsage: boolean): boolean {
    if (this.finishReason === undefined) return false;
    return this.doneSeen || this.usage !== undefined || !expectUsage;
  }

  /** The closing parts: every assembled tool call, then the finish with usage. Call once finished. */
  finalParts(): StreamPart[] {
    const parts: StreamPart[] = [];
    const indexes = [...this.toolCalls.keys()].sort((left, right) => left - right);
    for (const index of indexes) {
      const call = this.toolCalls.get(index);
      if (call === undefined) continue;
      parts.push({
        type: 'tool-call',
        toolCall: { id: call.id ?? `call_${index}`, name: call.name, arguments: call.arguments },
      });
    }
    parts.push({
      type: 'finish',
      finishReason: this.finishReason ?? { unified: 'other', raw: undefined },
      usage: this.usage ?? emptyUsage(),
      response: { id: this.responseId, modelId: this.responseModel },
    });
    return parts;
  }

  private acceptDelta(delta: JsonRecord): void {
    const content = delta.content;
    if (typeof content === 'string' && content !== '')
      this.queue.push({ type: 'text-delta', delta: content });
    const toolCalls = delta.tool_calls;
    if (toolCalls === undefined || toolCalls === null) return;
    for (const entry of readArray(toolCalls) ?? []) {
      const call = readRecord(entry);
      if (call !== undefined) this.acceptToolCallDelta(call);
    }
  }

  private acceptToolCallDelta(call: JsonRecord): void {
    const fn = readRecord(call.function);
    const id = readString(call.id) || undefined;
    const name = readString(fn?.name) || undefined;
    const rawArguments = fn?.arguments;
    // Some compatible servers send a whole call at once with its arguments as an object.
    const argumentsDelta =
      typeof rawArguments === 'string'
        ? rawArguments
        : rawArguments === undefined || rawArguments === null
          ? ''
          : JSON.stringify(rawArguments);
    const index = readCount(call.index) ?? this.indexWithoutPosition(id);
    const pending = this.toolCalls.get(index);
    if (pending === undefined) {
      this.toolCalls.set(index, { id, name: name ?? '', arguments: argumentsDelta });
    } else {
      if (id !== undefined) pending.id = id;
      // The name comes whole in the first delta; servers that repeat it must not double it.
      if (name !== undefined && pending.name === '') pending.name = name;
      pending.arguments += argumentsDelta;
    }
    this.queue.push({ type: 'tool-call-delta', index, id, name, argumentsDelta });
  }

  /** Servers that omit `index` (older Ollama) start a new call with each new id. */
  private indexWithoutPosition(id: string | undefined): number {
    for (const [index, call] of this.toolCalls) if (id !== undefined && call.id === id) return index;
    if (id === undefined && this.toolCalls.size > 0) return Math.max(...this.toolCalls.keys());
    return this.toolCalls.size;
  }

  private midStreamError(value: unknown): ProviderError {
    const error = readRecord(value);
    const code = readNumber(error?.code);
    // A failure after the headers said 200: the upstream broke mid-answer, a bad gateway at worst.
    const status = code !== undefined && code >= 400 && code <= 599 ? code : 502;
    return classifyHttpError(
      status,
      undefined,
      { error: value },
      {
        provider: this.context.provider,
        modelId: this.context.modelId,
      },
    );
  }
}
