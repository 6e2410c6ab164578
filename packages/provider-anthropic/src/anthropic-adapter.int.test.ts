import {
  isProviderError,
  modelSpecSchema,
  providerSpecSchema,
  type ChatModelAdapterV1,
  type StreamPart,
  type StreamResult,
} from '@switchboard/core';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicAdapter, type AnthropicAdapterOptions } from './anthropic-adapter.ts';
import { createAdapterFromProviderSpec } from './anthropic-provider-spec.ts';

const apiKey = 'sk-ant-test-7f3a9c-never-print-me';
const fixtureText = (name: string) =>
  readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const fixtureJson = (name: string) => JSON.parse(fixtureText(name)) as Record<string, unknown>;

interface RecordedRequest {
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let baseUrl = '';
let handler: Handler = (_request, response) => response.end();
let recorded: RecordedRequest[] = [];
let closedConnections = 0;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    recorded.push({
      url: request.url,
      headers: request.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
    });
    response.on('close', () => (closedConnections += 1));
    handler(request, response);
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  recorded = [];
  closedConnections = 0;
});

function adapter(options: Partial<AnthropicAdapterOptions> = {}): ChatModelAdapterV1 {
  return createAnthropicAdapter({
    model: 'claude-opus-4-6',
    modelId: 'anthropic/claude-opus-4-6',
    baseURL: baseUrl,
    env: { ANTHROPIC_API_KEY: apiKey },
    ...options,
  });
}

function answerJson(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** Sends an event stream in small pieces; `end: 'close'` finishes cleanly, `'hang'` keeps it open. */
function answerStream(body: string, end: 'close' | 'hang' | 'reset' = 'close'): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let start = 0; start < body.length; start += 37) response.write(body.slice(start, start + 37));
    if (end === 'close') response.end();
    if (end === 'reset') setTimeout(() => response.socket?.destroy(), 20);
  };
}

async function collect(result: StreamResult): Promise<{ parts: StreamPart[]; error: unknown }> {
  const parts: StreamPart[] = [];
  try {
    for await (const part of result.stream) parts.push(part);
    return { parts, error: undefined };
  } catch (error) {
    return { parts, error };
  }
}

const textOf = (parts: StreamPart[]) =>
  parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createAnthropicAdapter over HTTP', () => {
  it('sends a Messages API request and reads the recorded cached-usage answer', async () => {
    handler = answerJson(200, fixtureJson('message-with-prompt-cache.json'));
    const result = await adapter({ headers: { 'x-title': 'Switchboard' } }).doGenerate({
      messages: [
        { role: 'system', content: 'You narrate a calm story.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.4,
      headers: { 'x-request-tag': 'scene-3' },
    });
    expect(result.text).toBe('Hi! My name is Claude.');
    expect(result.usage.inputTokens).toEqual({ total: 6197, cacheRead: 2051, cacheWrite: 2051 });

    const [request] = recorded;
    expect(request?.url).toBe('/v1/messages');
    expect(request?.body).toEqual({
      model: 'claude-opus-4-6',
      max_tokens: 1024,
      system: 'You narrate a calm story.',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: false,
    });
    expect(JSON.stringify(request?.headers)).toContain(apiKey);
    expect(request?.headers['anthropic-version']).toBeDefined();
    expect(request?.headers['x-title']).toBe('Switchboard');
    expect(request?.headers['x-request-tag']).toBe('scene-3');
  });

  it('fails every call with an auth error naming the variable when the key is missing', async () => {
    const keyless = adapter({ apiKeyEnv: 'STUDIO_CLAUDE_KEY', env: {} });
    const error: unknown = await keyless
      .doGenerate({ messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('auth');
    expect((error as Error).message).toContain('STUDIO_CLAUDE_KEY');
    await expect(keyless.doStream({ messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({
      kind: 'auth',
    });
    expect(recorded).toHaveLength(0);
  });

  it('never exposes the key on the adapter or in its errors', async () => {
    handler = answerJson(401, fixtureJson('error-authentication.json').body);
    const subject = adapter();
    const error: unknown = await subject
      .doGenerate({ messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('auth');
    expect(JSON.stringify(subject)).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
    expect(String((error as Error).message)).not.toContain(apiKey);
  });

  it('does not retry a 529 overloaded answer itself: the engine decides', async () => {
    handler = answerJson(529, fixtureJson('error-overloaded.json').body);
    await expect(adapter().doGenerate({ messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject(
      {
        kind: 'overloaded',
        status: 529,
      },
    );
    expect(recorded).toHaveLength(1);
  });

  it('reports a 429 with its Retry-After, after one attempt', async () => {
    const fixture = fixtureJson('error-rate-limit.json');
    handler = answerJson(429, fixture.body, fixture.headers as Record<string, string>);
    await expect(adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 17_000,
    });
    expect(recorded).toHaveLength(1);
  });

  it('refuses JSON mode instead of answering with text that may not parse', async () => {
    await expect(
      adapter().doGenerate({ messages: [{ role: 'user', content: 'Hi' }], responseFormat: 'json' }),
    ).rejects.toMatchObject({ kind: 'bad_request' });
    expect(recorded).toHaveLength(0);
  });

  it('reports a refused connection as network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      adapter({ baseURL: `http://127.0.0.1:${port}` }).doGenerate({
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toMatchObject({ kind: 'network' });
  });
});

describe('doStream over HTTP', () => {
  it('streams the recorded text answer and sends stream: true', async () => {
    handler = answerStream(fixtureText('stream-text.sse'));
    const result = await adapter().doStream({ messages: [{ role: 'user', content: 'Hello' }] });
    const { parts, error } = await collect(result);
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe('Hello!');
    expect(parts.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: { unified: 'stop', raw: 'end_turn' },
    });
    expect(result.diagnostics?.malformedChunksSkipped).toBe(0);
    expect(recorded[0]?.body.stream).toBe(true);
  });

  it('streams the recorded tool use as deltas and a complete tool call', async () => {
    handler = answerStream(fixtureText('stream-tool-use.sse'));
    const { parts } = await collect(
      await adapter().doStream({ messages: [{ role: 'user', content: 'Weather?' }] }),
    );
    const toolCall = parts.find((part) => part.type === 'tool-call');
    expect(toolCall?.type === 'tool-call' && JSON.parse(toolCall.toolCall.arguments)).toEqual({
      location: 'San Francisco, CA',
      unit: 'fahrenheit',
    });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });
  });

  it('finishes as soon as the stop reason arrives, while the server keeps the connection open', async () => {
    const withoutStop = fixtureText('stream-text.sse').replace(/event: message_stop\n.*\n\n$/, '');
    handler = answerStream(withoutStop, 'hang');
    const { parts, error } = await collect(
      await adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(error).toBeUndefined();
    expect(parts.at(-1)?.type).toBe('finish');
    await until(() => closedConnections === 1);
  });

  it('skips and counts a malformed chunk when the stream otherwise completes', async () => {
    const stream = fixtureText('stream-text.sse').replace(
      'event: content_block_stop',
      'event: content_block_delta\ndata: {"type": "content_block_delta", "ind\n\nevent: content_block_stop',
    );
    handler = answerStream(stream);
    const result = await adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] });
    const { parts, error } = await collect(result);
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe('Hello!');
    expect(result.diagnostics?.malformedChunksSkipped).toBe(1);
  });

  it('reports a stream that ends before any stop reason as stream_cut, never as a finish', async () => {
    const cut = fixtureText('stream-text.sse').split('event: content_block_stop')[0] ?? '';
    handler = answerStream(cut, 'close');
    const { parts, error } = await collect(
      await adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(textOf(parts)).toBe('Hello!');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(error).toMatchObject({ kind: 'stream_cut', isRetryable: true });
  });

  it('reports a connection reset mid-stream as stream_cut', async () => {
    const cut = fixtureText('stream-text.sse').split('event: content_block_stop')[0] ?? '';
    handler = answerStream(cut, 'reset');
    const { parts, error } = await collect(
      await adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(textOf(parts)).toBe('Hello!');
    expect(error).toMatchObject({ kind: 'stream_cut' });
  });

  it('throws an overloaded error event that arrives after text has started', async () => {
    handler = answerStream(fixtureText('stream-error-overloaded.sse'), 'hang');
    const { parts, error } = await collect(
      await adapter().doStream({ messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(textOf(parts)).toBe('ello frien');
    expect(error).toMatchObject({ kind: 'overloaded', providerCode: 'overloaded_error' });
  });

  it('stops reading a stalled stream as soon as the caller aborts', async () => {
    const firstEvents = fixtureText('stream-text.sse').split('event: content_block_delta')[0] ?? '';
    const stall = firstEvents + fixtureText('stream-text.sse').split('\n\n').slice(3, 4).join('') + '\n\n';
    handler = answerStream(stall, 'hang');
    const controller = new AbortController();
    const result = await adapter().doStream({
      messages: [{ role: 'user', content: 'Hi' }],
      abortSignal: controller.signal,
    });
    const iterator = result.stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ value: { type: 'text-delta', delta: 'Hello' } });
    const pending = iterator.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
    await until(() => closedConnections === 1);
  });

  it('aborts a call whose server never answers', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = adapter().doStream({
      messages: [{ role: 'user', content: 'Hi' }],
      abortSignal: controller.signal,
    });
    await until(() => recorded.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('createAdapterFromProviderSpec', () => {
  const modelSpec = modelSpecSchema.parse({
    id: 'anthropic/claude-sonnet',
    provider: 'anthropic-eu',
    providerModel: 'claude-sonnet-5-5',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    price: null,
    safetyTier: 3,
    qualityPriors: { default: 0.8 },
    latencyPriors: { timeToFirstTokenP50Ms: 600, timeToFirstTokenP95Ms: 1500, outputTokensPerSecond: 60 },
  });

  it('takes the base URL, key variable and headers from the provider and the wire name from the model', async () => {
    handler = answerJson(200, fixtureJson('message-with-tool-use.json'));
    const providerSpec = providerSpecSchema.parse({
      id: 'anthropic-eu',
      kind: 'anthropic',
      baseUrl: `${baseUrl}/v1`,
      apiKeyEnv: 'CLAUDE_EU_KEY',
      headers: { 'x-studio': 'lantern' },
    });
    const subject = createAdapterFromProviderSpec(providerSpec, modelSpec, {
      env: { CLAUDE_EU_KEY: apiKey },
    });
    expect(subject).toMatchObject({ provider: 'anthropic-eu', providerModel: 'claude-sonnet-5-5' });
    const result = await subject.doGenerate({ messages: [{ role: 'user', content: 'Weather?' }] });
    expect(result.toolCalls[0]?.name).toBe('get_weather');
    expect(recorded[0]).toMatchObject({ url: '/v1/messages', body: { model: 'claude-sonnet-5-5' } });
    expect(recorded[0]?.headers['x-studio']).toBe('lantern');
  });

  it('refuses a provider of another kind', () => {
    const providerSpec = providerSpecSchema.parse({ id: 'anthropic-eu', kind: 'openai-compatible' });
    expect(() => createAdapterFromProviderSpec(providerSpec, modelSpec)).toThrow(/only kind 'anthropic'/);
  });
});
