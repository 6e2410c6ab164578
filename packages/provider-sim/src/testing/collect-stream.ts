import type { StreamDiagnostics, StreamPart, StreamResult, ToolCall } from '@switchboard/core';

/** The `finish` part of a stream. */
export type FinishPart = Extract<StreamPart, { type: 'finish' }>;

/** Everything a stream produced, however it ended. */
export interface CollectedStream {
  /** Every part, in order. */
  parts: StreamPart[];
  /** The text deltas joined. */
  text: string;
  /** Complete tool calls: the `tool-call` parts, or else the deltas assembled by index. */
  toolCalls: ToolCall[];
  /** The first `finish` part, if any. */
  finish: FinishPart | undefined;
  /** How many `finish` parts arrived (a correct stream has at most one). */
  finishCount: number;
  /**
   * The failure, whichever way it came: thrown by `doStream`, yielded as an `error` part, or thrown
   * by the iterator. `undefined` when the stream ended without one.
   */
  error: unknown;
  /** Where the failure came from. */
  errorSource: 'start' | 'part' | 'iterator' | undefined;
  /** The adapter's diagnostics, when it reports them. */
  diagnostics: StreamDiagnostics | undefined;
}

/** Called for each part as it arrives (to abort after the n-th token, for instance). */
export type StreamPartListener = (part: StreamPart, collected: CollectedStream) => void;

function assembleToolCalls(parts: readonly StreamPart[]): ToolCall[] {
  const whole = parts.flatMap((part) => (part.type === 'tool-call' ? [part.toolCall] : []));
  if (whole.length > 0) return whole;
  const byIndex = new Map<number, ToolCall>();
  for (const part of parts) {
    if (part.type !== 'tool-call-delta') continue;
    const call = byIndex.get(part.index) ?? { id: '', name: '', arguments: '' };
    byIndex.set(part.index, {
      id: call.id || (part.id ?? ''),
      name: call.name || (part.name ?? ''),
      arguments: call.arguments + part.argumentsDelta,
    });
  }
  return [...byIndex.entries()].sort(([left], [right]) => left - right).map(([, call]) => call);
}

/**
 * Reads a stream to its end and reports what it produced. Never throws: a failure at any point
 * (starting, mid-stream as a part, or thrown by the iterator) lands in `error`, so tests can assert
 * on adapters that report errors either way.
 */
export async function collectStream(
  start: Promise<StreamResult> | (() => Promise<StreamResult>),
  onPart?: StreamPartListener,
): Promise<CollectedStream> {
  const collected: CollectedStream = {
    parts: [],
    text: '',
    toolCalls: [],
    finish: undefined,
    finishCount: 0,
    error: undefined,
    errorSource: undefined,
    diagnostics: undefined,
  };
  let result: StreamResult;
  try {
    result = await (typeof start === 'function' ? start() : start);
  } catch (error) {
    collected.error = error;
    collected.errorSource = 'start';
    return collected;
  }
  collected.diagnostics = result.diagnostics;
  try {
    for await (const part of result.stream) {
      collected.parts.push(part);
      if (part.type === 'text-delta') collected.text += part.delta;
      if (part.type === 'finish') {
        collected.finishCount += 1;
        collected.finish ??= part;
      }
      if (part.type === 'error' && collected.error === undefined) {
        collected.error = part.error;
        collected.errorSource = 'part';
      }
      onPart?.(part, collected);
    }
  } catch (error) {
    if (collected.error === undefined) {
      collected.error = error;
      collected.errorSource = 'iterator';
    }
  }
  collected.toolCalls = assembleToolCalls(collected.parts);
  return collected;
}
