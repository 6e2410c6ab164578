import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  isProviderError,
  providerSpecSchema,
  SwitchboardValidationError,
  type ProviderError,
  type StreamPart,
  type StreamResult,
} from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readFixture,
  sendJson,
  sendSse,
  sseEvents,
  startLoopbackServer,
  type LoopbackServer,
} from './__fixtures__/loopback-server.ts';
import { createAdapterFromProviderSpec } from './adapter-from-provider-spec.ts';
import {
  createOpenAICompatibleAdapter,
  type OpenAICompatibleAdapterOptions,
} from './openai-compatible-adapter.ts';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

const env = { OPENAI_API_KEY: 'sk-test-key', OPENROUTER_API_KEY: 'sk-or-test' };
const userTurn = { messages: [{ role: 'user' as const, content: 'Describe the harbour.' }] };

function adapterFor(server: LoopbackServer, overrides: Partial<OpenAICompatibleAdapterOptions> = {}) {
  return createOpenAICompatibleAdapter({
    preset: 'openai',
    providerModel: 'gpt-4o-mini',
    modelId: 'openai/gpt-4o-mini',
    baseUrl: `${server.url}/v1`,
    env,
    ...overrides,
  });
}

async function collect(result: StreamResult): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of result.stream) parts.push(part);
  return parts;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (isProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError, but the call succeeded');
}

const textOf = (parts: StreamPart[]) =>
  parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
const chunk = (choice: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini',
  choices: choice === undefined ? [] : [choice],
  ...extra,
});
const usageChunk = chunk(undefined, { usage: { prompt_tokens: 9, completion_tokens: 2 } });

describe('createOpenAICompatibleAdapter: generate', () => {
  it('sends the mapped request with the key from the injected env and maps the published completion', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, readFixture('openai-chat-completion.json')),
    );
    const result = await adapterFor(server).doGenerate({
      ...userTurn,
      maxOutputTokens: 100,
      headers: { 'x-trace': 't1' },
    });

    expect(result.text).toBe('Hello! How can I assist you today?');
    expect(result.usage.inputTokens.cacheRead).toBe(1920);
    expect(result.usage.outputTokens.reasoning).toBe(128);
    const [request] = server.requests;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer sk-test-key');
    expect(request?.headers['x-trace']).toBe('t1');
    expect(Object.keys(request?.headers ?? {}).filter((name) => name.startsWith('x-stainless'))).toEqual([]);
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Describe the harbour.' }],
      max_completion_tokens: 100,
    });
  });

  it('classifies the published context-length error body, and retries nothing itself', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 400, readFixture('openai-error-context-length.json')),
    );
    const error = await rejection(adapterFor(server).doGenerate(userTurn));
    expect(error).toMatchObject({
      kind: 'context_length',
      status: 400,
      providerCode: 'context_length_exceeded',
    });
    expect(error.provider).toBe('openai');
    expect(error.modelId).toBe('openai/gpt-4o-mini');
    expect(server.requests).toHaveLength(1);
  });

  it('reads the wait from a 429 rate-limit answer', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 429, readFixture('openai-error-rate-limit.json'), { 'retry-after-ms': '20000' }),
    );
    const error = await rejection(adapterFor(server).doStream(userTurn));
    expect(error).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 20000,
      isRetryable: true,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('reads error bodies that are not in OpenAI shape (vLLM)', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 400, {
        object: 'error',
        message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
        type: 'BadRequestError',
        code: 400,
      }),
    );
    const error = await rejection(
      adapterFor(server, { preset: 'vllm', provider: 'vllm' }).doGenerate(userTurn),
    );
    expect(error.kind).toBe('context_length');
  });

  it('fails as auth, naming the variable, when the required key is missing, without calling out', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, readFixture('openai-chat-completion.json')),
    );
    const adapter = adapterFor(server, { preset: 'groq', provider: 'groq', env: {} });
    const error = await rejection(adapter.doGenerate(userTurn));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('GROQ_API_KEY');
    expect((await rejection(adapter.doStream(userTurn))).kind).toBe('auth');
    expect(server.requests).toHaveLength(0);
  });

  it('never puts the API key into an error', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    );
    const error = await rejection(adapterFor(server).doGenerate(userTurn));
    expect(error.kind).toBe('auth');
    expect(`${error.message} ${JSON.stringify(error.toJSON())}`).not.toContain('sk-test-key');
  });

  it('reports a refused connection as a network error', async () => {
    const server = await serve(() => undefined);
    const url = server.url;
    await server.close();
    servers.splice(0);
    const adapter = createOpenAICompatibleAdapter({
      preset: 'ollama',
      providerModel: 'llama3.2',
      baseUrl: `${url}/v1`,
    });
    expect((await rejection(adapter.doStream(userTurn))).kind).toBe('network');
  });

  it('stops reading a slow non-streamed body when the signal fires, and closes the connection', async () => {
    let serverResponse: ServerResponse | undefined;
    const server = await serve((_request, response) => {
      serverResponse = response;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-1","choices":[');
    });
    const controller = new AbortController();
    const pending = adapterFor(server).doGenerate({ ...userTurn, abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    expect((await rejection(pending)).kind).toBe('aborted');
    if (serverResponse === undefined) throw new Error('the server saw no request');
    if (!serverResponse.destroyed) await once(serverResponse, 'close');
    expect(serverResponse.writableEnded).toBe(false);
  });

  it('sends a header given in two cases once, the value of the request winning', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, readFixture('openai-chat-completion.json')),
    );
    const adapter = adapterFor(server, { headers: { 'X-Title': 'Configured' } });
    await adapter.doGenerate({
      ...userTurn,
      headers: { 'x-title': 'Per request', Accept: 'application/json' },
    });
    const headers = server.requests[0]?.headers;
    expect(headers?.['x-title']).toBe('Per request');
    expect(headers?.accept).toBe('application/json');
  });
});

describe('createOpenAICompatibleAdapter: stream', () => {
  it('streams the published completion: deltas, then a finish with usage, nothing skipped', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, [readFixture('openai-chat-stream.sse')]),
    );
    const result = await adapterFor(server).doStream(userTurn);
    const parts = await collect(result);
    expect(textOf(parts)).toBe('Hello! How can I assist you today?');
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'stop' },
      usage: { inputTokens: { total: 19 } },
    });
    expect(result.diagnostics?.malformedChunksSkipped).toBe(0);
    expect(JSON.parse(server.requests[0]?.body ?? '{}')).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('streams the published tool call and closes it with a whole tool-call part', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, [readFixture('openai-chat-stream-tool-call.sse')]),
    );
    const parts = await collect(await adapterFor(server).doStream(userTurn));
    expect(parts.find((part) => part.type === 'tool-call')).toEqual({
      type: 'tool-call',
      toolCall: {
        id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA',
        name: 'get_weather',
        arguments: '{"location":"Paris, France"}',
      },
    });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });
  });

  it('skips and counts a malformed chunk when the stream otherwise completes', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, [
        ...sseEvents(chunk({ index: 0, delta: { content: 'The tide ' } })),
        'data: {"choices":[{"index":0,"delta":{"content":"is\n\n',
        ...sseEvents(
          chunk({ index: 0, delta: { content: 'low.' }, finish_reason: 'stop' }),
          usageChunk,
          '[DONE]',
        ),
      ]),
    );
    const result = await adapterFor(server).doStream(userTurn);
    const parts = await collect(result);
    expect(textOf(parts)).toBe('The tide low.');
    expect(parts.at(-1)?.type).toBe('finish');
    expect(result.diagnostics?.malformedChunksSkipped).toBe(1);
  });

  it('finishes as soon as finish and usage are in, while the server keeps the connection open, and lets it go', async () => {
    let serverResponse: ServerResponse | undefined;
    const server = await serve((_request, response) => {
      serverResponse = response;
      sendSse(
        response,
        sseEvents(chunk({ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }), usageChunk),
        {
          keepOpen: true,
        },
      );
    });
    const parts = await collect(await adapterFor(server, { drainWindowMs: 20 }).doStream(userTurn));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { inputTokens: { total: 9 } } });
    if (serverResponse === undefined) throw new Error('the server saw no request');
    if (!serverResponse.destroyed) await once(serverResponse, 'close');
    expect(serverResponse.writableEnded).toBe(false);
  });

  it('finishes without usage after the grace when a server ignores include_usage and never closes', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' })), {
        keepOpen: true,
      }),
    );
    const parts = await collect(
      await adapterFor(server, { usageGraceMs: 30, drainWindowMs: 20 }).doStream(userTurn),
    );
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'stop' } });
    expect(parts.at(-1)).toMatchObject({ usage: { inputTokens: { total: undefined } } });
  });

  it('finishes at once when usage is not asked for', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' })), {
        keepOpen: true,
      }),
    );
    const parts = await collect(
      await adapterFor(server, { streamUsage: false, usageGraceMs: 60_000 }).doStream(userTurn),
    );
    expect(parts.at(-1)?.type).toBe('finish');
    expect(JSON.parse(server.requests[0]?.body ?? '{}')).not.toHaveProperty('stream_options');
  });

  it('raises stream_cut, never a finish, when the body ends before a finish reason', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Once upon' } }))),
    );
    const result = await adapterFor(server).doStream(userTurn);
    const parts: StreamPart[] = [];
    const error = await rejection(
      (async () => {
        for await (const part of result.stream) parts.push(part);
      })(),
    );
    expect(error.kind).toBe('stream_cut');
    expect(textOf(parts)).toBe('Once upon');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('raises stream_cut when the connection is reset mid-stream', async () => {
    const server = await serve((_request, response) => {
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Once' } })), { keepOpen: true });
      setTimeout(() => response.socket?.destroy(), 10);
    });
    const result = await adapterFor(server).doStream(userTurn);
    expect((await rejection(collect(result))).kind).toBe('stream_cut');
  });

  it('stops reading at once and raises aborted when the signal fires mid-stream', async () => {
    const server = await serve((_request, response) =>
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Once' } })), { keepOpen: true }),
    );
    const controller = new AbortController();
    const result = await adapterFor(server).doStream({ ...userTurn, abortSignal: controller.signal });
    const parts: StreamPart[] = [];
    const error = await rejection(
      (async () => {
        for await (const part of result.stream) {
          parts.push(part);
          controller.abort();
        }
      })(),
    );
    expect(error.kind).toBe('aborted');
    expect(textOf(parts)).toBe('Once');
  });

  it('lets the connection go when the caller stops reading early', async () => {
    let serverResponse: ServerResponse | undefined;
    const server = await serve((_request, response) => {
      serverResponse = response;
      sendSse(response, sseEvents(chunk({ index: 0, delta: { content: 'Once' } })), { keepOpen: true });
    });
    const result = await adapterFor(server).doStream(userTurn);
    for await (const part of result.stream) {
      expect(part).toEqual({ type: 'text-delta', delta: 'Once' });
      break;
    }
    if (serverResponse === undefined) throw new Error('the server saw no request');
    if (!serverResponse.destroyed) await once(serverResponse, 'close');
    expect(serverResponse.writableEnded).toBe(false);
  });

  it('raises aborted when the signal fires before the server answers', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = adapterFor(server).doStream({ ...userTurn, abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await rejection(pending)).kind).toBe('aborted');
  });

  it('raises the error a provider sends inside the stream', async () => {
    const server = await serve((_request, response) =>
      sendSse(
        response,
        sseEvents(chunk({ index: 0, delta: { content: 'Once' } }), {
          error: { code: 502, message: 'Upstream provider disconnected' },
        }),
        { keepOpen: true },
      ),
    );
    const error = await rejection(
      collect(await adapterFor(server, { preset: 'openrouter', provider: 'openrouter' }).doStream(userTurn)),
    );
    expect(error).toMatchObject({ kind: 'server', provider: 'openrouter' });
  });
});

describe('presets and provider entries', () => {
  it('sends the placeholder key and max_tokens to Ollama, which needs no key', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, readFixture('openai-chat-completion.json')),
    );
    const adapter = createOpenAICompatibleAdapter({
      preset: 'ollama',
      providerModel: 'llama3.2',
      baseUrl: `${server.url}/v1`,
      env: {},
    });
    await adapter.doGenerate({ ...userTurn, maxOutputTokens: 50 });
    expect(adapter.provider).toBe('ollama');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer ollama');
    expect(JSON.parse(server.requests[0]?.body ?? '{}')).toMatchObject({ max_tokens: 50 });
  });

  it('builds an OpenRouter adapter from registry entries with attribution and entry headers', async () => {
    const server = await serve((_request, response) =>
      sendJson(response, 200, readFixture('openai-chat-completion.json')),
    );
    const providerSpec = providerSpecSchema.parse({
      id: 'openrouter',
      kind: 'openai-compatible',
      baseUrl: `${server.url}/api/v1`,
      headers: { 'X-Studio': 'harbour-games' },
    });
    const adapter = createAdapterFromProviderSpec(
      providerSpec,
      {
        id: 'openrouter/meta-llama/llama-3.1-8b-instruct',
        provider: 'openrouter',
        providerModel: 'meta-llama/llama-3.1-8b-instruct',
      },
      { env, attribution: { referer: 'https://harbour.example' } },
    );
    await adapter.doGenerate(userTurn);
    const headers = server.requests[0]?.headers;
    expect(headers?.authorization).toBe('Bearer sk-or-test');
    expect(headers?.['http-referer']).toBe('https://harbour.example');
    expect(headers?.['x-title']).toBe('Switchboard');
    expect(headers?.['x-studio']).toBe('harbour-games');
    expect(server.requests[0]?.url).toBe('/api/v1/chat/completions');
  });

  it('refuses provider entries it cannot serve, saying which field is wrong', () => {
    const anthropic = providerSpecSchema.parse({ id: 'anthropic', kind: 'anthropic' });
    const model = { id: 'anthropic/claude', provider: 'anthropic', providerModel: 'claude' };
    expect(() => createAdapterFromProviderSpec(anthropic, model)).toThrow(SwitchboardValidationError);
    const custom = providerSpecSchema.parse({ id: 'studio-gpu', kind: 'openai-compatible' });
    expect(() => createAdapterFromProviderSpec(custom, { ...model, provider: 'studio-gpu' })).toThrow(
      /baseUrl/,
    );
  });
});
