import type { StreamDiagnostics, StreamPart } from '@switchboard/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnthropicStreamAssembler } from './anthropic-stream-assembler.ts';
import { ServerSentEventDecoder, type ServerSentEvent } from './server-sent-events.ts';

const context = { provider: 'anthropic', modelId: 'anthropic/claude-opus-4-6' };

function fixtureEvents(name: string): ServerSentEvent[] {
  const decoder = new ServerSentEventDecoder();
  const text = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
  return [...decoder.push(text), ...decoder.flush()];
}

function assemble(events: ServerSentEvent[]) {
  const diagnostics: StreamDiagnostics = { malformedChunksSkipped: 0 };
  const assembler = new AnthropicStreamAssembler(context, diagnostics);
  const parts: StreamPart[] = [];
  for (const event of events) {
    parts.push(...assembler.accept(event));
    if (assembler.finished) break;
  }
  return { parts, diagnostics, finished: assembler.finished };
}

const event = (data: unknown, name?: string): ServerSentEvent => ({
  event: name,
  data: typeof data === 'string' ? data : JSON.stringify(data),
});

describe('AnthropicStreamAssembler', () => {
  it('turns the recorded text stream into text deltas and a finish with usage', () => {
    const { parts, diagnostics } = assemble(fixtureEvents('stream-text.sse'));
    expect(parts).toEqual([
      { type: 'text-delta', delta: 'Hello' },
      { type: 'text-delta', delta: '!' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: {
          inputTokens: { total: 25, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 15, reasoning: undefined },
          raw: { input_tokens: 25, output_tokens: 15 },
        },
        response: { id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', modelId: 'claude-opus-4-6' },
      },
    ]);
    expect(diagnostics.malformedChunksSkipped).toBe(0);
  });

  it('turns the recorded tool-use stream into tool-call deltas and one complete tool call', () => {
    const { parts } = assemble(fixtureEvents('stream-tool-use.sse'));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    expect(text).toBe("Okay, let's check the weather for San Francisco, CA:");
    const deltas = parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas[0]).toEqual({
      type: 'tool-call-delta',
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      argumentsDelta: '',
    });
    const streamedArguments = deltas
      .map((part) => (part.type === 'tool-call-delta' ? part.argumentsDelta : ''))
      .join('');
    expect(JSON.parse(streamedArguments)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      {
        type: 'tool-call',
        toolCall: { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: streamedArguments },
      },
    ]);
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_use' },
      usage: { inputTokens: { total: 472 }, outputTokens: { total: 89 } },
    });
  });

  it('finishes on message_delta with a stop reason, without waiting for message_stop', () => {
    const events = fixtureEvents('stream-text.sse').filter((candidate) => candidate.event !== 'message_stop');
    const { parts, finished } = assemble(events);
    expect(finished).toBe(true);
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it('throws the recorded overloaded error event as an overloaded ProviderError', () => {
    expect(() => assemble(fixtureEvents('stream-error-overloaded.sse'))).toThrow(
      expect.objectContaining({ kind: 'overloaded', providerCode: 'overloaded_error', status: undefined }),
    );
  });

  it('skips and counts a chunk whose JSON cannot be read, and still finishes', () => {
    const events = fixtureEvents('stream-text.sse');
    events.splice(3, 0, event('{"type": "content_block_delta", "index": 0, "delta": {"type": "text_del'));
    const { parts, diagnostics } = assemble(events);
    expect(diagnostics.malformedChunksSkipped).toBe(1);
    expect(parts.map((part) => part.type)).toEqual(['text-delta', 'text-delta', 'finish']);
  });

  it('does not finish when no stop reason arrives', () => {
    const events = fixtureEvents('stream-text.sse').filter(
      (candidate) => candidate.event !== 'message_delta' && candidate.event !== 'message_stop',
    );
    const { parts, finished } = assemble(events);
    expect(finished).toBe(false);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('emits a tool call left open when the stop reason arrives, from its start input if no deltas came', () => {
    const { parts } = assemble([
      event({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_7', name: 'rest', input: { minutes: 5 } },
      }),
      event({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
    ]);
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCall: { id: 'toolu_7', name: 'rest', arguments: '{"minutes":5}' } },
    ]);
  });

  it('ignores thinking blocks and unknown event types', () => {
    const { parts } = assemble([
      event({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
      event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }),
      event({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'abc' } }),
      event({ type: 'content_block_stop', index: 0 }),
      event({ type: 'future_event', detail: 1 }),
      event({ type: 'message_stop' }),
    ]);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'finish', finishReason: { unified: 'other', raw: undefined } });
  });
});
