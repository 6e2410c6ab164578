import { adviceFor, ProviderError, type StreamDiagnostics, type StreamPart } from '@switchboard/core';
import { abortedError, type ErrorContext } from './map-openai-error.ts';
import { OpenAIStreamAssembler } from './openai-stream-assembler.ts';
import { createSseParser } from './sse/sse-parser.ts';

/** How the body of a streamed completion is read. */
export interface StreamReadingOptions extends ErrorContext {
  /** True when `stream_options.include_usage` was sent, so a usage chunk should follow the finish. */
  expectUsage: boolean;
  /**
   * How long to wait, after the finish reason, for the usage chunk when it has not come yet. A
   * server that ignores `include_usage` and keeps the connection open must not hold the answer.
   */
  usageGraceMs: number;
  /**
   * After the answer is complete, how long the rest of the body (`[DONE]`, the end of the chunked
   * response) may take to arrive in the background before the reader is cancelled. Reading it to
   * the end returns the connection to the keep-alive pool; cancelling closes it.
   */
  drainWindowMs: number;
  /** Filled in while reading: skipped malformed chunks. */
  diagnostics: StreamDiagnostics;
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
const graceExpired = Symbol('grace-expired');
const decodeOptions = { stream: true };
const ignore = (): void => undefined;

/** A function, not a property read, so the check is repeated after every await. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  milliseconds: number,
): Promise<ReadResult | typeof graceExpired> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<typeof graceExpired>((resolve) => {
    timer = setTimeout(() => resolve(graceExpired), milliseconds);
  });
  return Promise.race([reader.read(), expiry]).finally(() => clearTimeout(timer));
}

/** Reads what is left of a finished response so its connection can be reused, within a window. */
function releaseInBackground(reader: ReadableStreamDefaultReader<Uint8Array>, windowMs: number): void {
  const timer = setTimeout(() => void reader.cancel().catch(ignore), windowMs);
  timer.unref();
  const drain = async (): Promise<void> => {
    try {
      while (!(await reader.read()).done) {
        // The answer is already final; anything after it is discarded.
      }
    } catch {
      // A reset after the answer is complete changes nothing.
    } finally {
      clearTimeout(timer);
    }
  };
  void drain();
}

function cutError(options: StreamReadingOptions, assembler: OpenAIStreamAssembler, cause?: unknown): ProviderError {
  const skipped = options.diagnostics.malformedChunksSkipped;
  const onlyGarbage = assembler.validChunks === 0 && skipped > 0;
  const kind = onlyGarbage ? 'malformed_response' : 'stream_cut';
  const detail = onlyGarbage
    ? `none of its ${skipped} chunks could be read`
    : `it ended without a finish reason${skipped > 0 ? ` (${skipped} malformed chunks skipped)` : ''}`;
  return new ProviderError({
    kind,
    message: `${adviceFor(kind)} (${options.modelId}): ${detail}.`,
    provider: options.provider,
    modelId: options.modelId,
    cause,
  });
}

/**
 * Reads an OpenAI-compatible SSE body into our stream parts, with the hygiene the engine relies on:
 *
 * - a chunk that is not JSON is skipped and counted in `diagnostics.malformedChunksSkipped`;
 * - the answer is final as soon as the finish reason is in and the usage too (or `[DONE]`, or no
 *   usage was asked for, or the short usage grace ran out): it never waits for the connection to
 *   close, and the rest of the body is drained or cancelled in the background;
 * - a body that ends, or breaks, before any finish reason is a `stream_cut` error, never a finish;
 * - the request's signal stops the reading at once and surfaces as `aborted`.
 *
 * Errors are thrown from the iterator, always as `ProviderError`.
 */
export async function* readOpenAIStream(
  body: ReadableStream<Uint8Array>,
  options: StreamReadingOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const assembler = new OpenAIStreamAssembler(options, options.diagnostics);
  const parser = createSseParser((event) => assembler.accept(event.data));
  const signal = options.signal;
  const onAbort = (): void => void reader.cancel().catch(ignore);
  signal?.addEventListener('abort', onAbort, { once: true });
  /** How the reader is let go once the answer is final: it ended, drains, or must be cancelled. */
  let release: 'ended' | 'drain' | 'cancel' = 'drain';
  let released = false;
  try {
    for (;;) {
      if (isAborted(signal)) throw abortedError(options);
      let result: ReadResult | typeof graceExpired;
      try {
        result =
          assembler.finishReason === undefined
            ? await reader.read()
            : await readWithin(reader, options.usageGraceMs);
      } catch (error) {
        if (isAborted(signal)) throw abortedError(options, error);
        if (assembler.finishReason === undefined) throw cutError(options, assembler, error);
        release = 'cancel';
        break;
      }
      if (isAborted(signal)) throw abortedError(options);
      if (result === graceExpired) {
        release = 'cancel';
        break;
      }
      if (result.done) {
        parser.push(decoder.decode());
        parser.end();
        release = 'ended';
      } else {
        parser.push(decoder.decode(result.value, decodeOptions));
      }
      for (const part of assembler.take()) yield part;
      if (assembler.error !== undefined) throw assembler.error;
      if (result.done || assembler.isComplete(options.expectUsage)) break;
    }
    if (assembler.finishReason === undefined) throw cutError(options, assembler);
    // Let go of the body before the closing parts: a consumer that stops at the finish part must
    // not leave the connection hanging.
    released = true;
    if (release === 'drain') releaseInBackground(reader, options.drainWindowMs);
    else if (release === 'cancel') void reader.cancel().catch(ignore);
    for (const part of assembler.finalParts()) yield part;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!released) void reader.cancel().catch(ignore);
  }
}
