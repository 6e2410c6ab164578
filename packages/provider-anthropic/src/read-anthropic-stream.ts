import {
  coalesceTextDeltas,
  isProviderError,
  type ProviderError,
  type StreamDiagnostics,
  type StreamPart,
} from '@switchboard/core';
import { AnthropicStreamAssembler } from './anthropic-stream-assembler.ts';
import { abortedError, adapterError, type AnthropicErrorContext } from './map-anthropic-error.ts';
import { ServerSentEventDecoder, type ServerSentEvent } from './server-sent-events.ts';

/** What reading a streamed response needs. */
export interface ReadAnthropicStreamOptions {
  /** Names the provider and model in every error the stream raises. */
  context: AnthropicErrorContext;
  /** The engine's signal: when it fires, reading stops at once with an `aborted` error. */
  abortSignal?: AbortSignal | undefined;
  /** Filled in while reading (skipped malformed chunks). */
  diagnostics: StreamDiagnostics;
}

/**
 * Reads a Messages API event stream from the raw `Response` and yields our stream parts.
 *
 * The stream is over as soon as a stop reason has arrived: the connection is then released
 * without waiting for `message_stop` or for the server to close it. A body that ends (or breaks)
 * before any stop reason is a `stream_cut` error, never a finish. The caller's abort signal
 * interrupts even a read that is waiting on a silent server. Leaving the loop early (`break`)
 * releases the connection too. Text deltas that arrived in the same read of the body are yielded as
 * one part (see `coalesceTextDeltas`).
 */
export async function* readAnthropicStream(
  response: Response,
  options: ReadAnthropicStreamOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const { context, abortSignal } = options;
  if (response.body === null)
    throw adapterError('malformed_response', 'Anthropic sent a stream with no body', context);
  const reader = response.body.getReader();
  const textDecoder = new TextDecoder();
  const eventDecoder = new ServerSentEventDecoder();
  const assembler = new AnthropicStreamAssembler(context, options.diagnostics);
  // The parts of one read, handed out (text deltas merged) before the next read; reused.
  const batch: StreamPart[] = [];
  try {
    for (;;) {
      const chunk = await readOrAbort(reader, abortSignal, context);
      const events: ServerSentEvent[] = chunk.done
        ? [...eventDecoder.push(textDecoder.decode()), ...eventDecoder.flush()]
        : eventDecoder.push(textDecoder.decode(chunk.value, { stream: true }));
      batch.length = 0;
      try {
        for (const event of events) {
          for (const part of assembler.accept(event)) batch.push(part);
          if (assembler.finished) break;
        }
      } catch (error) {
        // An `error` event: the text read before it still reaches the caller, then the error.
        for (const part of coalesceTextDeltas(batch)) yield part;
        throw error;
      }
      for (const part of coalesceTextDeltas(batch)) yield part;
      if (assembler.finished) return;
      if (chunk.done) break;
    }
    throw adapterError('stream_cut', 'The Anthropic stream ended before a stop reason', context);
  } catch (error) {
    throw asStreamError(error, context, abortSignal);
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  abortSignal: AbortSignal | undefined,
  context: AnthropicErrorContext,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  if (abortSignal === undefined) return reader.read();
  if (abortSignal.aborted) return Promise.reject(abortedError(context, abortSignal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortedError(context, abortSignal.reason));
    abortSignal.addEventListener('abort', onAbort, { once: true });
    reader
      .read()
      .then(resolve, reject)
      .finally(() => abortSignal.removeEventListener('abort', onAbort));
  });
}

/** Mid-stream, a broken connection means the answer was cut, whatever the socket error was. */
function asStreamError(
  error: unknown,
  context: AnthropicErrorContext,
  abortSignal?: AbortSignal,
): ProviderError {
  if (isProviderError(error)) return error;
  if (abortSignal?.aborted === true) return abortedError(context, error);
  return adapterError('stream_cut', 'The connection to Anthropic broke during the stream', context, error);
}
