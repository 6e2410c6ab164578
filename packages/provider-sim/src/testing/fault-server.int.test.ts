import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANONICAL_ANSWER,
  CANONICAL_ANSWER_TOKENS,
  CANONICAL_TOOL_ARGUMENTS,
  CONTENT_POLICY_MESSAGE,
  startFaultServer,
  type FaultServer,
} from './index.ts';

interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits an SSE body into events, checking the framing (`field: value` lines, blank-line separated). */
function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length);
      if (data === undefined) throw new Error(`SSE block without a data line: ${block}`);
      return { event, data };
    });
}

interface OpenAiChunk {
  choices: {
    delta: { content?: string; tool_calls?: { function: { arguments?: string } }[] };
    finish_reason: string;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

const messages = [
  { role: 'system', content: 'You are the narrator.' },
  { role: 'user', content: 'I open the door.' },
];
const promptTokens = Math.ceil(('You are the narrator.'.length + 'I open the door.'.length) / 4);

function post(server: FaultServer, path: string, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ?? null,
  });
}

const chat = (server: FaultServer, body: Record<string, unknown>, signal?: AbortSignal) =>
  post(server, '/v1/chat/completions', { messages, ...body }, signal);
const anthropic = (server: FaultServer, body: Record<string, unknown>, signal?: AbortSignal) =>
  post(server, '/anthropic/v1/messages', { max_tokens: 512, messages: messages.slice(1), ...body }, signal);

/** A streamed body read bit by bit, so a test can stop reading at a point and resume later. */
function bodyReader(response: Response) {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('The response has no body.');
  const decoder = new TextDecoder();
  let text = '';
  return {
    /** Reads until `done(text so far)` holds or the body ends; returns the text so far. */
    async until(done: (text: string) => boolean): Promise<string> {
      while (!done(text)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    /** Reads to the end (rejects when the connection fails). */
    rest(): Promise<string> {
      return this.until(() => false);
    },
    cancel: () => reader.cancel(),
  };
}

async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function contentOf(events: SseEvent[]): string {
  return events
    .filter((event) => event.data !== '[DONE]')
    .map((event) => (JSON.parse(event.data) as OpenAiChunk).choices[0]?.delta.content ?? '')
    .join('');
}

describe('fault server', () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer({ tokenDelayMs: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('OpenAI route', () => {
    it('streams the canonical answer as SSE data events, a usage chunk, then [DONE]', async () => {
      const response = await chat(server, {
        model: 'healthy',
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      const body = await response.text();
      expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
      const events = parseSse(body);
      expect(events.every((event) => event.event === undefined)).toBe(true);
      expect(contentOf(events)).toBe(CANONICAL_ANSWER);
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as OpenAiChunk);
      const finishIndex = chunks.findIndex((chunk) => chunk.choices[0]?.finish_reason === 'stop');
      const usageChunk = chunks.at(-1);
      expect(finishIndex).toBe(chunks.length - 2);
      expect(usageChunk?.choices).toEqual([]);
      expect(usageChunk?.usage).toMatchObject({
        prompt_tokens: promptTokens,
        completion_tokens: CANONICAL_ANSWER_TOKENS.length,
      });
    });

    it('sends no usage chunk when the client did not ask for one', async () => {
      const events = parseSse(await (await chat(server, { model: 'healthy', stream: true })).text());
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as OpenAiChunk);
      expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    });

    it('answers without streaming with the whole text and usage', async () => {
      const response = await chat(server, { model: 'healthy' });
      const body = (await response.json()) as {
        choices: { message: { content: string }; finish_reason: string }[];
        usage: { prompt_tokens: number; completion_tokens: number };
      };
      expect(body.choices[0]?.message.content).toBe(CANONICAL_ANSWER);
      expect(body.choices[0]?.finish_reason).toBe('stop');
      expect(body.usage).toMatchObject({
        prompt_tokens: promptTokens,
        completion_tokens: CANONICAL_ANSWER_TOKENS.length,
      });
    });

    it('streams a tool call as several argument deltas with a tool_calls finish', async () => {
      const tools = [{ type: 'function', function: { name: 'set_scene', parameters: { type: 'object' } } }];
      const events = parseSse(
        await (await chat(server, { model: 'healthy-tools', stream: true, tools })).text(),
      );
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as OpenAiChunk);
      const argumentDeltas = chunks.flatMap((chunk) =>
        (chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function.arguments ?? ''),
      );
      expect(argumentDeltas.filter((delta) => delta !== '').length).toBeGreaterThan(1);
      expect(argumentDeltas.join('')).toBe(CANONICAL_TOOL_ARGUMENTS);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    });

    it('continues an assistant prefill and truncates at max_tokens with a length finish', async () => {
      const prefill = CANONICAL_ANSWER_TOKENS.slice(0, 4).join('');
      const continued = (await (
        await chat(server, {
          model: 'healthy',
          messages: [...messages, { role: 'assistant', content: prefill }],
        })
      ).json()) as { choices: { message: { content: string } }[] };
      expect(prefill + continued.choices[0]?.message.content).toBe(CANONICAL_ANSWER);

      const truncated = (await (await chat(server, { model: 'healthy', max_tokens: 5 })).json()) as {
        choices: { message: { content: string }; finish_reason: string }[];
      };
      expect(truncated.choices[0]?.message.content).toBe(CANONICAL_ANSWER_TOKENS.slice(0, 5).join(''));
      expect(truncated.choices[0]?.finish_reason).toBe('length');
    });

    it('sends Retry-After in seconds and milliseconds with a 429', async () => {
      const response = await chat(server, { model: 'rate-limit-retry-after' });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('retry-after-ms')).toBe('1000');
      expect(await response.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

      const custom = await chat(server, { model: 'rate-limit-retry-after-2500' });
      expect(custom.headers.get('retry-after-ms')).toBe('2500');
      expect(custom.headers.get('retry-after')).toBe('3');

      const persistent = await chat(server, { model: 'rate-limit-persistent' });
      expect(persistent.status).toBe(429);
      expect(persistent.headers.get('retry-after')).toBeNull();
      expect(persistent.headers.get('retry-after-ms')).toBeNull();
    });

    it('answers the error bodies adapters classify', async () => {
      const context = await chat(server, { model: 'context-length' });
      expect(context.status).toBe(400);
      expect(await context.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'context_length_exceeded' },
      });
      const policy = await chat(server, { model: 'content-policy' });
      expect(await policy.json()).toMatchObject({
        error: { code: 'content_policy_violation', message: CONTENT_POLICY_MESSAGE },
      });
      expect((await chat(server, { model: 'auth-error' })).status).toBe(401);
      expect((await chat(server, { model: 'unavailable' })).status).toBe(503);
      const unknown = await chat(server, { model: 'no-such-behaviour' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 'model_not_found' } });
      const prefill = await chat(server, {
        model: 'rejects-prefill',
        messages: [...messages, { role: 'assistant', content: 'The' }],
      });
      expect(prefill.status).toBe(400);
    });

    it('resets the connection before any header', async () => {
      await expect(chat(server, { model: 'reset-before-headers#reset' })).rejects.toThrow();
      expect(
        server.attempts().find((attempt) => attempt.model === 'reset-before-headers#reset')?.outcome,
      ).toBe('reset');
    });

    it('cuts a stream after n tokens with no finish and no [DONE]', async () => {
      const body = await (await chat(server, { model: 'cut-after-3', stream: true })).text();
      const events = parseSse(body);
      expect(body).not.toContain('[DONE]');
      expect(body).not.toContain('"finish_reason":"stop"');
      expect(contentOf(events)).toBe(CANONICAL_ANSWER_TOKENS.slice(0, 3).join(''));
    });

    it('drops the connection mid-body after n tokens', async () => {
      const response = await chat(server, { model: 'drop-after-3', stream: true });
      await expect(response.text()).rejects.toThrow();
    });

    it('inserts exactly one data line that is not JSON and still sends the whole answer', async () => {
      const events = parseSse(await (await chat(server, { model: 'malformed-chunk', stream: true })).text());
      const broken = events.filter((event) => {
        try {
          JSON.parse(event.data);
          return false;
        } catch {
          return event.data !== '[DONE]';
        }
      });
      expect(broken).toHaveLength(1);
      const index = events.indexOf(broken[0] as SseEvent);
      expect(index).toBeGreaterThan(5);
      expect(index).toBeLessThan(events.length - 5);
      expect(contentOf(events.filter((event) => !broken.includes(event)))).toBe(CANONICAL_ANSWER);
    });

    it('sends the first token late but the headers at once', async () => {
      const startedAt = Date.now();
      const response = await chat(server, { model: 'slow-first-token-300', stream: true });
      const headersAt = Date.now();
      const body = bodyReader(response);
      await body.until((text) => text.includes('"content":"The"'));
      const firstTokenAt = Date.now();
      await body.cancel();
      expect(firstTokenAt - startedAt).toBeGreaterThanOrEqual(290);
      expect(headersAt - startedAt).toBeLessThan(firstTokenAt - startedAt - 100);
    });

    it('lists the behaviours as models', async () => {
      const models = (await (await fetch(`${server.openaiBaseUrl}/models`)).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((model) => model.id)).toEqual(
        expect.arrayContaining(['healthy', 'cut-after-<n>']),
      );
    });
  });

  describe('Anthropic route', () => {
    it('streams named events in the Messages API order', async () => {
      const events = parseSse(await (await anthropic(server, { model: 'healthy', stream: true })).text());
      const names = events.map((event) => event.event);
      expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
      expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
      for (const event of events) expect((JSON.parse(event.data) as { type: string }).type).toBe(event.event);
      const text = events
        .filter((event) => event.event === 'content_block_delta')
        .map((event) => (JSON.parse(event.data) as { delta: { type: string; text: string } }).delta)
        .map((delta) => (delta.type === 'text_delta' ? delta.text : ''))
        .join('');
      expect(text).toBe(CANONICAL_ANSWER);
      const delta = JSON.parse(events.at(-2)?.data ?? '{}') as {
        delta: { stop_reason: string };
        usage: { output_tokens: number };
      };
      expect(delta.delta.stop_reason).toBe('end_turn');
      expect(delta.usage.output_tokens).toBe(CANONICAL_ANSWER_TOKENS.length);
    });

    it('answers whole messages and tool calls as input_json_delta', async () => {
      const whole = (await (await anthropic(server, { model: 'healthy' })).json()) as {
        content: { text: string }[];
        stop_reason: string;
        usage: { output_tokens: number };
      };
      expect(whole.content[0]?.text).toBe(CANONICAL_ANSWER);
      expect(whole.stop_reason).toBe('end_turn');

      const tools = [{ name: 'set_scene', input_schema: { type: 'object' } }];
      const events = parseSse(
        await (await anthropic(server, { model: 'healthy-tools', stream: true, tools })).text(),
      );
      const partial = events
        .filter((event) => event.event === 'content_block_delta')
        .map((event) => (JSON.parse(event.data) as { delta: { partial_json: string } }).delta.partial_json);
      expect(partial.join('')).toBe(CANONICAL_TOOL_ARGUMENTS);
      expect(events.find((event) => event.event === 'message_delta')?.data).toContain(
        '"stop_reason":"tool_use"',
      );
    });

    it('answers errors as {type:"error"} with 529 for overloaded', async () => {
      const overloaded = await anthropic(server, { model: 'unavailable' });
      expect(overloaded.status).toBe(529);
      expect(await overloaded.json()).toEqual({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
      });
      const limited = await anthropic(server, { model: 'rate-limit-retry-after' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      const auth = await anthropic(server, { model: 'auth-error' });
      expect(await auth.json()).toMatchObject({ error: { type: 'authentication_error' } });
    });

    it('cuts a stream without message_stop', async () => {
      const events = parseSse(await (await anthropic(server, { model: 'cut-after-4', stream: true })).text());
      expect(events.map((event) => event.event)).not.toContain('message_stop');
      expect(events.filter((event) => event.event === 'content_block_delta')).toHaveLength(4);
    });
  });

  describe('attempts and scopes', () => {
    it('records every request with its arrival time, route, stream flag and conversation shape', async () => {
      server.reset();
      const before = Date.now();
      await (await chat(server, { model: 'healthy#record', stream: true })).text();
      await (await anthropic(server, { model: 'auth-error#record' })).text();
      const after = Date.now();
      const attempts = server.attempts();
      expect(
        attempts.map((attempt) => [attempt.model, attempt.route, attempt.outcome, attempt.stream]),
      ).toEqual([
        ['healthy#record', 'openai', 'ok', true],
        ['auth-error#record', 'anthropic', 'http-401', false],
      ]);
      expect(attempts[0]).toMatchObject({ lastMessageRole: 'user', messageCount: 2 });
      expect(attempts[1]).toMatchObject({ lastMessageRole: 'user', messageCount: 1 });
      for (const attempt of attempts) {
        expect(attempt.arrivedAt).toBeGreaterThanOrEqual(before);
        expect(attempt.arrivedAt).toBeLessThanOrEqual(after);
      }
      expect(attempts[0]?.arrivedAt).toBeLessThanOrEqual(attempts[1]?.arrivedAt ?? 0);
      server.reset();
      expect(server.attempts()).toEqual([]);
    });

    it('keeps stateful behaviours apart by #scope', async () => {
      expect((await chat(server, { model: 'server-error-once#a' })).status).toBe(500);
      expect((await chat(server, { model: 'server-error-once#a' })).status).toBe(200);
      expect((await chat(server, { model: 'server-error-once#b' })).status).toBe(500);
    });

    it('recovers unavailable-for-<ms> once that long has passed since the scope began', async () => {
      expect((await chat(server, { model: 'unavailable-for-150#recover' })).status).toBe(503);
      expect((await chat(server, { model: 'unavailable-for-150#recover' })).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await chat(server, { model: 'unavailable-for-150#recover' })).status).toBe(200);
    });
  });
});

describe('fault server close', () => {
  it('destroys hanging, stalled and never-finished connections so nothing leaks', async () => {
    const server = await startFaultServer({ tokenDelayMs: 1 });
    const hanging = chat(server, { model: 'never-answers' });
    await eventually(() => server.attempts().length === 1);
    const stalled = bodyReader(await chat(server, { model: 'stall-after-2', stream: true }));
    const stalledText = await stalled.until((text) => (text.match(/"content"/g) ?? []).length >= 3);
    const unfinished = bodyReader(await anthropic(server, { model: 'no-done', stream: true }));
    const unfinishedText = await unfinished.until((text) => text.includes('message_delta'));
    expect(stalledText).not.toContain('finish_reason":"stop');
    expect(unfinishedText).not.toContain('message_stop');
    expect(server.attempts().map((attempt) => attempt.outcome)).toEqual(['hang', 'stall', 'no-done']);

    await server.close();
    await expect(hanging).rejects.toThrow();
    await expect(stalled.rest()).rejects.toThrow();
    await expect(unfinished.rest()).rejects.toThrow();
  });
});
