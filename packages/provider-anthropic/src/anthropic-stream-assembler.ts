import type { StreamDiagnostics, StreamPart } from '@switchboard/core';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
import { mapAnthropicUsage, mergeAnthropicUsage } from './map-anthropic-usage.ts';
import { mapAnthropicStreamErrorEvent, type AnthropicErrorContext } from './map-anthropic-error.ts';
import { asNumber, asRecord, asString } from './read-json.ts';
import type { ServerSentEvent } from './server-sent-events.ts';

type OpenBlock =
  | { kind: 'text' }
  | {
      kind: 'tool';
      toolIndex: number;
      id: string;
      name: string;
      argumentsText: string;
      initialInput: unknown;
    }
  | { kind: 'other' };

/**
 * Turns Anthropic's stream events into our stream parts, one event at a time:
 * - `message_start` gives the response id, model and input usage;
 * - `content_block_start` opens a text or `tool_use` block (a tool call announces its id and name
 *   as a first `tool-call-delta`); thinking and server-tool blocks are ignored;
 * - `content_block_delta` yields `text_delta` as `text-delta` and `input_json_delta` as
 *   `tool-call-delta`; `content_block_stop` yields the whole `tool-call`;
 * - `message_delta` with a `stop_reason` finishes the answer at once (`finish` with usage), without
 *   waiting for `message_stop` or the connection to close; `message_stop` finishes it otherwise;
 * - `ping` and unknown event types are ignored; `error` throws a classified `ProviderError`;
 * - an event whose JSON cannot be read is skipped and counted in the diagnostics.
 *
 * After `finished` turns true the caller stops reading. Pure: no I/O, so fixtures drive it.
 */
export class AnthropicStreamAssembler {
  /** True once the `finish` part has been produced. */
  finished = false;
  private readonly blocks = new Map<number, OpenBlock>();
  private toolCount = 0;
  private usage: Record<string, unknown> = {};
  private stopReason: string | undefined;
  private responseId: string | undefined;
  private responseModel: string | undefined;

  constructor(
    private readonly context: AnthropicErrorContext,
    private readonly diagnostics: StreamDiagnostics,
  ) {}

  /** The parts one server-sent event produces; throws for an `error` event. */
  accept(event: ServerSentEvent): StreamPart[] {
    if (this.finished || event.event === 'ping') return [];
    let payload: Record<string, unknown> | undefined;
    try {
      payload = asRecord(JSON.parse(event.data));
    } catch {
      payload = undefined;
    }
    if (payload === undefined) return this.skipMalformed();
    const type = asString(payload.type) ?? event.event;
    switch (type) {
      case 'message_start':
        return this.onMessageStart(payload);
      case 'content_block_start':
        return this.onBlockStart(payload);
      case 'content_block_delta':
        return this.onBlockDelta(payload);
      case 'content_block_stop':
        return this.onBlockStop(payload);
      case 'message_delta':
        return this.onMessageDelta(payload);
      case 'message_stop':
        return this.finish();
      case 'error':
        throw mapAnthropicStreamErrorEvent(payload, this.context);
      default:
        return [];
    }
  }

  private skipMalformed(): StreamPart[] {
    this.diagnostics.malformedChunksSkipped += 1;
    return [];
  }

  private onMessageStart(payload: Record<string, unknown>): StreamPart[] {
    const message = asRecord(payload.message);
    if (message === undefined) return this.skipMalformed();
    this.responseId = asString(message.id);
    this.responseModel = asString(message.model);
    this.usage = mergeAnthropicUsage(this.usage, message.usage);
    return [];
  }

  private onBlockStart(payload: Record<string, unknown>): StreamPart[] {
    const index = asNumber(payload.index);
    const block = asRecord(payload.content_block);
    if (index === undefined || block === undefined) return this.skipMalformed();
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      const text = asString(block.text) ?? '';
      return text === '' ? [] : [{ type: 'text-delta', delta: text }];
    }
    if (block.type !== 'tool_use') {
      this.blocks.set(index, { kind: 'other' });
      return [];
    }
    const tool: OpenBlock = {
      kind: 'tool',
      toolIndex: this.toolCount,
      id: asString(block.id) ?? '',
      name: asString(block.name) ?? '',
      argumentsText: '',
      initialInput: block.input,
    };
    this.toolCount += 1;
    this.blocks.set(index, tool);
    return [
      { type: 'tool-call-delta', index: tool.toolIndex, id: tool.id, name: tool.name, argumentsDelta: '' },
    ];
  }

  private onBlockDelta(payload: Record<string, unknown>): StreamPart[] {
    const index = asNumber(payload.index);
    const delta = asRecord(payload.delta);
    if (index === undefined || delta === undefined) return this.skipMalformed();
    const block = this.blocks.get(index);
    if (delta.type === 'text_delta') {
      const text = asString(delta.text) ?? '';
      return text === '' || block?.kind === 'other' ? [] : [{ type: 'text-delta', delta: text }];
    }
    if (delta.type === 'input_json_delta' && block?.kind === 'tool') {
      const argumentsDelta = asString(delta.partial_json) ?? '';
      if (argumentsDelta === '') return [];
      block.argumentsText += argumentsDelta;
      return [{ type: 'tool-call-delta', index: block.toolIndex, argumentsDelta }];
    }
    return [];
  }

  private onBlockStop(payload: Record<string, unknown>): StreamPart[] {
    const index = asNumber(payload.index);
    if (index === undefined) return this.skipMalformed();
    const block = this.blocks.get(index);
    this.blocks.delete(index);
    return block?.kind === 'tool' ? [toolCallPart(block)] : [];
  }

  private onMessageDelta(payload: Record<string, unknown>): StreamPart[] {
    const delta = asRecord(payload.delta);
    this.usage = mergeAnthropicUsage(this.usage, payload.usage);
    const stopReason = asString(delta?.stop_reason);
    if (stopReason === undefined) return [];
    this.stopReason = stopReason;
    return this.finish();
  }

  /** Closes any tool block still open (a server that skipped `content_block_stop`) and finishes. */
  private finish(): StreamPart[] {
    const parts: StreamPart[] = [];
    for (const block of this.blocks.values()) if (block.kind === 'tool') parts.push(toolCallPart(block));
    this.blocks.clear();
    this.finished = true;
    parts.push({
      type: 'finish',
      finishReason: mapAnthropicFinishReason(this.stopReason),
      usage: mapAnthropicUsage(this.usage),
      response: { id: this.responseId, modelId: this.responseModel },
    });
    return parts;
  }
}

function toolCallPart(block: Extract<OpenBlock, { kind: 'tool' }>): StreamPart {
  const argumentsText =
    block.argumentsText === '' ? JSON.stringify(block.initialInput ?? {}) : block.argumentsText;
  return { type: 'tool-call', toolCall: { id: block.id, name: block.name, arguments: argumentsText } };
}
