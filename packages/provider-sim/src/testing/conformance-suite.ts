import {
  isProviderError,
  type ChatModelAdapterV1,
  type ChatRequest,
  type GenerateResult,
  type ProviderError,
  type ProviderErrorKind,
  type ToolDefinition,
} from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER, CANONICAL_ANSWER_TOKENS, CANONICAL_JSON_ANSWER } from '../canonical-answer.ts';
import { CONTENT_POLICY_MESSAGE } from '../fault-error-responses.ts';
import { collectStream, type CollectedStream, type StreamPartListener } from './collect-stream.ts';
import { startFaultServer, type FaultAttempt, type FaultServer } from './fault-server.ts';

/** What the conformance suite needs to know about the adapter under test. */
export interface ConformanceOptions {
  /** Names the `describe` block and the `#scope` of every model the suite uses. */
  name: string;
  /**
   * Builds the adapter for one test. `model` is the fault-server model name (behaviour and scope)
   * the adapter must send; point the adapter at `server.openaiBaseUrl` or `server.anthropicBaseUrl`.
   * Adapters must not retry on their own (set the client's `maxRetries: 0`): the suite checks that
   * each failing call reached the server exactly once.
   */
  createAdapter(context: {
    server: FaultServer;
    model: string;
  }): ChatModelAdapterV1 | Promise<ChatModelAdapterV1>;
  /** Optional capabilities; their tests run only when set. */
  supports?: { tools?: boolean | undefined; jsonMode?: boolean | undefined } | undefined;
  /**
   * `in-process` for adapters that never touch the network (the simulator): the suite then skips
   * its checks of what reached the server. Default `http`.
   */
  transport?: 'http' | 'in-process' | undefined;
  /** How long an abort or a finish without `[DONE]` may take before the test fails. Default 3000 ms. */
  promptnessMs?: number | undefined;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Resolves with `promise`, or rejects with `message` after `ms` (calling `onTimeout` first). */
async function within<T>(
  ms: number,
  promise: Promise<T>,
  message: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(message));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Asserts that `error` is a ProviderError of one of `kinds` and returns it typed. */
function expectProviderError(
  error: unknown,
  kinds: ProviderErrorKind | readonly ProviderErrorKind[],
): ProviderError {
  expect(isProviderError(error), `expected a ProviderError, got ${describeValue(error)}`).toBe(true);
  const providerError = error as ProviderError;
  expect([kinds].flat(), `unexpected kind; message: ${providerError.message}`).toContain(providerError.kind);
  expect(providerError.message.length).toBeGreaterThan(0);
  return providerError;
}

function expectGenerateFailure(settled: Settled<GenerateResult>): unknown {
  expect(
    settled.ok,
    settled.ok ? `expected a failure, got text ${JSON.stringify(settled.value.text)}` : '',
  ).toBe(false);
  return settled.ok ? undefined : settled.error;
}

function expectNoFinish(collected: CollectedStream): void {
  expect(collected.finishCount, 'a broken stream must never report a finish').toBe(0);
}

/**
 * The pause between streamed tokens on the suite's fault server. Adapters may merge text deltas
 * that arrive in the same read of the body (it saves per-part work downstream), so only a paced
 * answer says whether an adapter streams: each token then arrives in its own read, and an answer
 * that still comes out as one delta was buffered by the adapter.
 */
const pacedTokenDelayMs = 2;

const firstTokens = (count: number): string => CANONICAL_ANSWER_TOKENS.slice(0, count).join('');

const tools: ToolDefinition[] = [
  {
    name: 'set_scene',
    description: 'Moves the story to a new scene.',
    parameters: { type: 'object', properties: { scene: { type: 'string' } }, required: ['scene'] },
  },
];

function conversation(extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    messages: [
      { role: 'system', content: 'You are the narrator of a gentle text adventure.' },
      { role: 'user', content: 'I step into the greenhouse.' },
    ],
    maxOutputTokens: 256,
    ...extra,
  };
}

const prefillConversation = (): ChatRequest =>
  conversation({
    messages: [
      { role: 'system', content: 'You are the narrator of a gentle text adventure.' },
      { role: 'user', content: 'I step into the greenhouse.' },
      { role: 'assistant', content: 'The lantern flickers' },
    ],
  });

interface ErrorCase {
  behaviour: string;
  title: string;
  kinds: ProviderErrorKind[];
  request?: () => ChatRequest;
  check?: (error: ProviderError) => void;
}

const errorCases: ErrorCase[] = [
  {
    behaviour: 'rate-limit-retry-after',
    title: 'a 429 with Retry-After is rate_limited with retryAfterMs 1000',
    kinds: ['rate_limited'],
    check: (error) => {
      expect(error.retryAfterMs).toBe(1000);
      expect(error.status).toBe(429);
      expect(error.isRetryable).toBe(true);
    },
  },
  {
    behaviour: 'rate-limit-retry-after-2500',
    title: 'a 429 asking for 2500 ms is rate_limited with retryAfterMs 2500',
    kinds: ['rate_limited'],
    check: (error) => expect(error.retryAfterMs).toBe(2500),
  },
  {
    behaviour: 'rate-limit-persistent',
    title: 'a 429 without Retry-After is rate_limited without a delay',
    kinds: ['rate_limited'],
    check: (error) => expect(error.retryAfterMs).toBeUndefined(),
  },
  {
    behaviour: 'server-error-once',
    title: 'a 500 is a retryable server error',
    kinds: ['server'],
    check: (error) => {
      expect(error.status).toBe(500);
      expect(error.isRetryable).toBe(true);
    },
  },
  {
    behaviour: 'unavailable',
    title: 'a 503 (529 on Anthropic) is overloaded',
    kinds: ['overloaded'],
    check: (error) => expect([503, 529]).toContain(error.status),
  },
  {
    behaviour: 'reset-before-headers',
    title: 'a connection reset before headers is a network error',
    kinds: ['network'],
    check: (error) => expect(error.isRetryable).toBe(true),
  },
  {
    behaviour: 'context-length',
    title: 'a context overflow is context_length and not retryable',
    kinds: ['context_length'],
    check: (error) => expect(error.isRetryable).toBe(false),
  },
  {
    behaviour: 'content-policy',
    title: "a content refusal is content_filter and keeps the provider's reason",
    kinds: ['content_filter'],
    check: (error) => expect(error.providerMessage).toBe(CONTENT_POLICY_MESSAGE),
  },
  {
    behaviour: 'auth-error',
    title: 'a 401 is auth',
    kinds: ['auth'],
    check: (error) => expect(error.status).toBe(401),
  },
  {
    behaviour: 'no-such-model',
    title: 'an unknown model (404) is a bad request',
    kinds: ['bad_request'],
    check: (error) => expect(error.status).toBe(404),
  },
  {
    behaviour: 'rejects-prefill',
    title: 'a rejected assistant prefill is prefill_unsupported (or bad_request) and not retryable',
    kinds: ['prefill_unsupported', 'bad_request'],
    request: prefillConversation,
    check: (error) => {
      expect(error.status).toBe(400);
      expect(error.isRetryable).toBe(false);
    },
  },
];

/**
 * Registers the adapter conformance suite: every adapter must pass the same tests, through real
 * HTTP to a fault server the suite starts (and closes) itself, which paces streamed tokens (a second
 * one, unpaced, writes a whole answer at once). Each test uses a fresh `#scope`, so tests never
 * share state. Covers healthy answers (whole and streamed, with usage), tool calls and
 * JSON mode when supported, the classification of every error kind, stream hygiene (malformed
 * chunks, a missing `[DONE]`, cut and dropped streams) and prompt aborts.
 */
export function runAdapterConformanceSuite(options: ConformanceOptions): void {
  const overHttp = options.transport !== 'in-process';
  const promptnessMs = options.promptnessMs ?? 3000;
  const scopePrefix = options.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  let server: FaultServer | undefined;
  /** The same fault server without pacing: every streamed event is written at once. */
  let unpacedServer: FaultServer | undefined;
  let counter = 0;

  const scoped = (behaviour: string): string => {
    counter += 1;
    return `${behaviour}#${scopePrefix}-${counter}`;
  };
  const faultServer = (): FaultServer => {
    if (server === undefined) throw new Error('The fault server has not started (beforeAll did not run).');
    return server;
  };
  const adapterFor = async (model: string): Promise<ChatModelAdapterV1> =>
    options.createAdapter({ server: faultServer(), model });
  const unpacedAdapterFor = async (model: string): Promise<ChatModelAdapterV1> => {
    if (unpacedServer === undefined) throw new Error('The unpaced fault server has not started.');
    return options.createAdapter({ server: unpacedServer, model });
  };
  const attemptsFor = (model: string): FaultAttempt[] =>
    faultServer()
      .attempts()
      .filter((attempt) => attempt.model === model);
  const expectSingleAttempt = (model: string): FaultAttempt | undefined => {
    if (!overHttp) return undefined;
    const attempts = attemptsFor(model);
    expect(attempts.length, 'the adapter must not retry on its own: the engine owns retries').toBe(1);
    return attempts[0];
  };

  /** Streams with an AbortController that `within` fires if the stream hangs. */
  const streamPromptly = async (
    adapter: ChatModelAdapterV1,
    request: ChatRequest,
    message: string,
    onPart?: (part: Parameters<StreamPartListener>[0], controller: AbortController) => void,
  ): Promise<CollectedStream> => {
    const controller = new AbortController();
    const collecting = collectStream(
      () => adapter.doStream({ ...request, abortSignal: controller.signal }),
      onPart === undefined ? undefined : (part) => onPart(part, controller),
    );
    return within(promptnessMs, collecting, message, () => controller.abort());
  };

  describe(`${options.name}: adapter conformance`, { timeout: promptnessMs + 7000 }, () => {
    beforeAll(async () => {
      server = await startFaultServer({ tokenDelayMs: pacedTokenDelayMs });
      unpacedServer = await startFaultServer({ tokenDelayMs: 0 });
    });
    afterAll(async () => {
      await Promise.all([server?.close(), unpacedServer?.close()]);
      server = undefined;
      unpacedServer = undefined;
    });

    it('reports specification v1 and the model it was built for', async () => {
      const model = scoped('healthy');
      const adapter = await adapterFor(model);
      expect(adapter.specificationVersion).toBe('v1');
      expect(adapter.providerModel).toBe(model);
      expect(adapter.provider.length).toBeGreaterThan(0);
    });

    describe('healthy answers', () => {
      it('generate returns the canonical answer with usage and a stop finish', async () => {
        const model = scoped('healthy');
        const result = await (await adapterFor(model)).doGenerate(conversation());
        expect(result.text).toBe(CANONICAL_ANSWER);
        expect(result.toolCalls).toEqual([]);
        expect(result.finishReason.unified).toBe('stop');
        expect(result.usage.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
        expect(result.usage.inputTokens.total).toBeGreaterThan(0);
        const attempt = expectSingleAttempt(model);
        if (attempt !== undefined) {
          expect(attempt.stream).toBe(false);
          expect(attempt.lastMessageRole).toBe('user');
        }
      });

      it('stream yields text deltas that join to the canonical answer, then one finish with usage', async () => {
        const model = scoped('healthy');
        const collected = await collectStream((await adapterFor(model)).doStream(conversation()));
        expect(collected.error).toBeUndefined();
        expect(collected.text).toBe(CANONICAL_ANSWER);
        // The server paces its tokens, so each arrives in its own read: merging only what was read
        // together still gives several deltas, while an adapter that buffered the answer gives one.
        const deltas = collected.parts.filter((part) => part.type === 'text-delta');
        expect(deltas.length, 'a paced answer must arrive in several deltas, not at once').toBeGreaterThan(1);
        expect(collected.finishCount).toBe(1);
        expect(collected.parts.at(-1)?.type, 'the finish must be the last part').toBe('finish');
        expect(collected.finish?.finishReason.unified).toBe('stop');
        expect(collected.finish?.usage.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
        expect(collected.finish?.usage.inputTokens.total).toBeGreaterThan(0);
        const attempt = expectSingleAttempt(model);
        if (attempt !== undefined) expect(attempt.stream).toBe(true);
      });

      it('an answer written all at once joins to the canonical answer, however its deltas are merged', async () => {
        // Every event arrives in one or a few reads: the adapter may merge their text deltas, so
        // only the text, the order of parts and the single finish are checked.
        const model = scoped('healthy');
        const collected = await collectStream((await unpacedAdapterFor(model)).doStream(conversation()));
        expect(collected.error).toBeUndefined();
        expect(collected.text).toBe(CANONICAL_ANSWER);
        expect(collected.finishCount).toBe(1);
        expect(collected.parts.at(-1)?.type, 'the finish must be the last part').toBe('finish');
        expect(collected.finish?.usage.outputTokens.total).toBe(CANONICAL_ANSWER_TOKENS.length);
      });

      it('a slow first token still yields the whole answer', async () => {
        const collected = await collectStream(
          (await adapterFor(scoped('slow-first-token-150'))).doStream(conversation()),
        );
        expect(collected.error).toBeUndefined();
        expect(collected.text).toBe(CANONICAL_ANSWER);
        expect(collected.finish?.finishReason.unified).toBe('stop');
      });

      it('a model that failed once answers the next call (the adapter keeps no error state)', async () => {
        const model = scoped('server-error-once');
        const adapter = await adapterFor(model);
        expectProviderError(
          expectGenerateFailure(await settle(adapter.doGenerate(conversation()))),
          'server',
        );
        const second = await adapter.doGenerate(conversation());
        expect(second.text).toBe(CANONICAL_ANSWER);
        if (overHttp)
          expect(attemptsFor(model).map((attempt) => attempt.outcome)).toEqual(['http-500', 'ok']);
      });
    });

    if (options.supports?.tools === true) {
      describe('tools', () => {
        it('generate returns the tool call with its arguments and a tool-calls finish', async () => {
          const model = scoped('healthy-tools');
          const result = await (
            await adapterFor(model)
          ).doGenerate(conversation({ tools, toolChoice: 'auto' }));
          expect(result.toolCalls).toHaveLength(1);
          const [call] = result.toolCalls;
          expect(call?.name).toBe('set_scene');
          expect(call?.id.length).toBeGreaterThan(0);
          expect(JSON.parse(call?.arguments ?? '')).toEqual({ scene: 'forest' });
          expect(result.finishReason.unified).toBe('tool-calls');
          const attempt = expectSingleAttempt(model);
          if (attempt !== undefined) expect(attempt.toolCount).toBe(1);
        });

        it('stream delivers the tool call (streamed argument deltas) and a tool-calls finish', async () => {
          const model = scoped('healthy-tools');
          const adapter = await adapterFor(model);
          const collected = await collectStream(
            adapter.doStream(conversation({ tools, toolChoice: 'auto' })),
          );
          expect(collected.error).toBeUndefined();
          expect(collected.toolCalls).toHaveLength(1);
          expect(collected.toolCalls[0]?.name).toBe('set_scene');
          expect(JSON.parse(collected.toolCalls[0]?.arguments ?? '')).toEqual({ scene: 'forest' });
          expect(collected.text).toBe('');
          expect(collected.finish?.finishReason.unified).toBe('tool-calls');
          expect(collected.parts.at(-1)?.type).toBe('finish');
        });
      });
    }

    if (options.supports?.jsonMode === true) {
      describe('json mode', () => {
        it('asks for JSON and returns the JSON text unchanged', async () => {
          const model = scoped('healthy-json');
          const result = await (await adapterFor(model)).doGenerate(conversation({ responseFormat: 'json' }));
          expect(JSON.parse(result.text)).toEqual(JSON.parse(CANONICAL_JSON_ANSWER));
          const attempt = expectSingleAttempt(model);
          if (attempt?.route === 'openai') expect(attempt.jsonMode).toBe(true);
        });
      });
    }

    describe('errors are classified', () => {
      for (const errorCase of errorCases) {
        const request = errorCase.request ?? conversation;

        it(`generate: ${errorCase.title}`, async () => {
          const model = scoped(errorCase.behaviour);
          const settled = await settle((await adapterFor(model)).doGenerate(request()));
          const error = expectProviderError(expectGenerateFailure(settled), errorCase.kinds);
          errorCase.check?.(error);
          expectSingleAttempt(model);
        });

        it(`stream: ${errorCase.title}`, async () => {
          const model = scoped(errorCase.behaviour);
          const collected = await collectStream(async () => (await adapterFor(model)).doStream(request()));
          const error = expectProviderError(collected.error, errorCase.kinds);
          errorCase.check?.(error);
          expect(collected.text).toBe('');
          expectNoFinish(collected);
          expectSingleAttempt(model);
        });
      }

      it('rejects-prefill answers normally when the conversation ends with the user', async () => {
        const result = await (await adapterFor(scoped('rejects-prefill'))).doGenerate(conversation());
        expect(result.text).toBe(CANONICAL_ANSWER);
      });
    });

    describe('stream hygiene', () => {
      it('a malformed chunk is skipped and the whole answer still arrives', async () => {
        const collected = await collectStream(
          (await adapterFor(scoped('malformed-chunk'))).doStream(conversation()),
        );
        expect(collected.error).toBeUndefined();
        expect(collected.text).toBe(CANONICAL_ANSWER);
        expect(collected.finish?.finishReason.unified).toBe('stop');
        if (collected.diagnostics !== undefined) expect(collected.diagnostics.malformedChunksSkipped).toBe(1);
      });

      it('a stream without [DONE] / message_stop finalises at the finish at once', async () => {
        const adapter = await adapterFor(scoped('no-done'));
        const collected = await streamPromptly(
          adapter,
          conversation(),
          `no finish within ${promptnessMs} ms: the adapter must finalise at the finish chunk, not wait for [DONE]`,
        );
        expect(collected.error).toBeUndefined();
        expect(collected.text).toBe(CANONICAL_ANSWER);
        expect(collected.finish?.finishReason.unified).toBe('stop');
      });

      it('a stream cut after 5 tokens yields those tokens, then stream_cut, never a finish', async () => {
        const collected = await streamPromptly(
          await adapterFor(scoped('cut-after-5')),
          conversation(),
          `the cut stream did not end within ${promptnessMs} ms`,
        );
        expect(collected.text).toBe(firstTokens(5));
        expectProviderError(collected.error, 'stream_cut');
        expectNoFinish(collected);
      });

      it('a connection dropped after 5 tokens yields those tokens, then stream_cut or network, never a finish', async () => {
        const collected = await streamPromptly(
          await adapterFor(scoped('drop-after-5')),
          conversation(),
          `the dropped stream did not end within ${promptnessMs} ms`,
        );
        expect(collected.text).toBe(firstTokens(5));
        expect(expectProviderError(collected.error, ['stream_cut', 'network']).isRetryable).toBe(true);
        expectNoFinish(collected);
      });

      it('generate whose body is cut mid-way fails retryably instead of returning partial text', async () => {
        const settled = await settle((await adapterFor(scoped('cut-after-5'))).doGenerate(conversation()));
        const error = expectProviderError(expectGenerateFailure(settled), [
          'stream_cut',
          'network',
          'malformed_response',
        ]);
        expect(error.isRetryable).toBe(true);
      });
    });

    describe('aborts', () => {
      it('aborting a stalled stream stops it promptly with aborted', async () => {
        let received = '';
        const collected = await streamPromptly(
          await adapterFor(scoped('stall-after-5')),
          conversation(),
          `the stalled stream did not stop within ${promptnessMs} ms of the abort`,
          (part, controller) => {
            if (part.type !== 'text-delta') return;
            received += part.delta;
            // Abort once the stall has begun: after the fifth (last) token, with a short pause. The
            // text is counted, not the deltas: tokens read together may arrive as one delta.
            if (received === firstTokens(5)) setTimeout(() => controller.abort(), 30);
          },
        );
        expect(collected.text).toBe(firstTokens(5));
        expectProviderError(collected.error, 'aborted');
        expectNoFinish(collected);
      });

      it('aborting a stream before its first token rejects promptly with aborted', async () => {
        const adapter = await adapterFor(scoped('never-answers'));
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 50);
        try {
          const collected = await within(
            promptnessMs,
            collectStream(() => adapter.doStream({ ...conversation(), abortSignal: controller.signal })),
            `the stream did not stop within ${promptnessMs} ms of the abort`,
          );
          expectProviderError(collected.error, 'aborted');
          expect(collected.text).toBe('');
          expectNoFinish(collected);
        } finally {
          clearTimeout(timer);
        }
      });

      it('aborting generate before the answer rejects promptly with aborted', async () => {
        const adapter = await adapterFor(scoped('never-answers'));
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 50);
        try {
          const settled = await within(
            promptnessMs,
            settle(adapter.doGenerate({ ...conversation(), abortSignal: controller.signal })),
            `generate did not stop within ${promptnessMs} ms of the abort`,
          );
          expectProviderError(expectGenerateFailure(settled), 'aborted');
        } finally {
          clearTimeout(timer);
        }
      });

      it('a signal aborted before the call rejects with aborted', async () => {
        const adapter = await adapterFor(scoped('healthy'));
        const settled = await settle(
          adapter.doGenerate({ ...conversation(), abortSignal: AbortSignal.abort() }),
        );
        expectProviderError(expectGenerateFailure(settled), 'aborted');
      });
    });
  });
}
