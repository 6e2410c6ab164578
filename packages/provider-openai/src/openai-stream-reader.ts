import {
  adviceFor,
  coalesceTextDeltas,
  ProviderError,
  type StreamDiagnostics,
  type StreamPart,
} from '@switchboard/core';
import { abortedError, type ErrorContext } from './map-openai-error.ts';
import { OpenAIStreamAssembler } from './openai-stream-assembler.ts';
import { createSseParser, type SseParser } from './sse/sse-parser.ts';
import type { BodyChunk, ResponseBodyReader } from './transport/http-transport.ts';

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

const graceExpired = Symbol('grace-expired');
const decodeOptions = { stream: true };
const ignore = (): void => undefined;

/** A function, not a property read, so the check is repeated after every await. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function readWithin(
  reader: ResponseBodyReader,
  milliseconds: number,
): Promise<BodyChunk | typeof graceExpired> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<typeof graceExpired>((resolve) => {
    timer = setTimeout(() => resolve(graceExpired), milliseconds);
  });
  return Promise.race([reader.read(), expiry]).finally(() => clearTimeout(timer));
}

/** Reads what is left of a finished response so its connection can be reused, within a window. */
function releaseInBackground(reader: ResponseBodyReader, windowMs: number): void {
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

function cutError(
  options: StreamReadingOptions,
  assembler: OpenAIStreamAssembler,
  cause?: unknown,
): ProviderError {
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
 * - the request's signal stops the reading at once and surfaces as `aborted`;
 * - text deltas parsed from the same read of the body are handed out as one part (see
 *   `coalesceTextDeltas`).
 *
 * Errors are thrown from the iterator, always as `ProviderError`. The iterator is written by hand
 * rather than as an async generator: it hands out parts already parsed from a chunk without a
 * generator's extra promise hops, which is most of this adapter's cost per token.
 */
export function readOpenAIStream(
  body: ResponseBodyReader,
  options: StreamReadingOptions,
): AsyncIterable<StreamPart> {
  return { [Symbol.asyncIterator]: () => new OpenAIStreamIterator(body, options) };
}

class OpenAIStreamIterator implements AsyncIterator<StreamPart, undefined> {
  private readonly decoder = new TextDecoder();
  private readonly assembler: OpenAIStreamAssembler;
  private readonly parser: SseParser;
  private readonly onAbort = (): void => void this.reader.cancel().catch(ignore);
  private parts: StreamPart[] = [];
  private index = 0;
  /** Set once the closing parts are queued, or the stream failed: nothing more is read. */
  private finished = false;
  /** Set once the body has been let go (ended, drained, cancelled). */
  private released = false;
  /** An error to throw once the parts read before it have been handed out. */
  private pendingError: ProviderError | undefined;

  constructor(
    private readonly reader: ResponseBodyReader,
    private readonly options: StreamReadingOptions,
  ) {
    this.assembler = new OpenAIStreamAssembler(options, options.diagnostics);
    this.parser = createSseParser((event) => this.assembler.accept(event.data));
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async next(): Promise<IteratorResult<StreamPart, undefined>> {
    for (;;) {
      if (!this.finished && isAborted(this.options.signal)) {
        // The caller gave up: parts already read but not yet handed out are dropped too.
        this.parts = [];
        this.failAfterParts(abortedError(this.options));
      }
      if (this.index < this.parts.length) {
        const part = this.parts[this.index++] as StreamPart;
        return { value: part, done: false };
      }
      if (this.pendingError !== undefined) {
        const error = this.pendingError;
        this.pendingError = undefined;
        throw error;
      }
      if (this.finished) {
        this.release('cancel');
        return { value: undefined, done: true };
      }
      try {
        await this.readChunk();
      } catch (error) {
        this.finished = true;
        this.release('cancel');
        throw error;
      }
    }
  }

  async return(): Promise<IteratorResult<StreamPart, undefined>> {
    this.finished = true;
    this.parts = [];
    this.release('cancel');
    return { value: undefined, done: true };
  }

  /** Reads one chunk of the body and queues the parts it completes (and the closing parts). */
  private async readChunk(): Promise<void> {
    const { options, assembler } = this;
    if (isAborted(options.signal)) throw abortedError(options);
    let result: BodyChunk | typeof graceExpired;
    try {
      result =
        assembler.finishReason === undefined
          ? await this.reader.read()
          : await readWithin(this.reader, options.usageGraceMs);
    } catch (error) {
      if (isAborted(options.signal)) throw abortedError(options, error);
      if (assembler.finishReason === undefined) throw cutError(options, assembler, error);
      this.close('cancel');
      return;
    }
    if (isAborted(options.signal)) throw abortedError(options);
    if (result === graceExpired) {
      this.close('cancel');
      return;
    }
    if (result.done) {
      this.parser.push(this.decoder.decode());
      this.parser.end();
    } else {
      this.parser.push(this.decoder.decode(result.value, decodeOptions));
    }
    this.parts = coalesceTextDeltas(assembler.take());
    this.index = 0;
    if (assembler.error !== undefined) {
      this.failAfterParts(assembler.error);
      return;
    }
    if (result.done) {
      if (assembler.finishReason === undefined) {
        this.failAfterParts(cutError(options, assembler));
        return;
      }
      this.close('ended');
    } else if (assembler.isComplete(options.expectUsage)) {
      this.close('drain');
    }
  }

  /** Queues the closing parts and lets go of the body before the caller sees them. */
  private close(release: 'ended' | 'drain' | 'cancel'): void {
    this.release(release);
    this.parts = [...this.parts.slice(this.index), ...this.assembler.finalParts()];
    this.index = 0;
    this.finished = true;
  }

  /** Parts read before a failure still reach the caller; the error follows them. */
  private failAfterParts(error: ProviderError): void {
    this.pendingError = error;
    this.finished = true;
    this.release('cancel');
  }

  private release(how: 'ended' | 'drain' | 'cancel'): void {
    if (this.released) return;
    this.released = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (how === 'drain') releaseInBackground(this.reader, this.options.drainWindowMs);
    else if (how === 'cancel') void this.reader.cancel().catch(ignore);
  }
}
