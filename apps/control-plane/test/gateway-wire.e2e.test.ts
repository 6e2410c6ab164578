import 'reflect-metadata';
import { CANONICAL_ANSWER } from '@switchboard/provider-sim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import {
  faultModels,
  faultsPolicy,
  startGatewayTestApp,
  type GatewayTestApp,
} from './support/gateway-test-app.ts';

const target = testDatabaseTargets().find((candidate) => candidate.name === 'PGlite')!;

/** Reads a response body to the end as bytes, then as UTF-8 text. */
async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

// The wire format does not depend on the storage engine: one run, on PGlite, is enough.
describe('the gateway on the wire', () => {
  let app: GatewayTestApp;
  const post = (
    body: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> =>
    fetch(`${app.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...app.authorization, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });

  beforeAll(async () => {
    app = await startGatewayTestApp(target);
  });
  afterAll(() => app?.close());

  it('frames a stream exactly as OpenAI does, byte for byte', async () => {
    const response = await post({
      model: faultModels.healthy,
      messages: [{ role: 'user', content: 'Where am I?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('x-switchboard-model')).toBe(faultModels.healthy);
    const decisionId = response.headers.get('x-switchboard-decision-id');
    expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);

    const text = await bodyText(response);
    expect(text.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
    const events = text.split('\n\n');
    expect(events.pop()).toBe('');
    expect(events.pop()).toBe('data: [DONE]');
    for (const event of events) expect(event).toMatch(/^data: \{[^\n]*\}$/);
    const chunks = events.map((event) => JSON.parse(event.slice('data: '.length)) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

    expect(chunks[0]).toEqual({
      id: `chatcmpl-${decisionId}`,
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: faultModels.healthy,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    const finish = chunks.at(-2)!;
    expect(finish.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const content = chunks.slice(1, -2);
    // The fault server writes the whole answer at once, and the adapter merges text deltas read
    // together: how many content chunks there are depends on how the body was split into reads.
    expect(content.length).toBeGreaterThanOrEqual(1);
    for (const chunk of content) {
      expect(Object.keys(chunk.choices[0].delta)).toEqual(['content']);
      expect(chunk.usage).toBeNull();
      expect(chunk.id).toBe(chunks[0]!.id);
    }
    expect(content.map((chunk) => chunk.choices[0].delta.content).join('')).toBe(CANONICAL_ANSWER);
  });

  it('leaves usage out of every chunk when include_usage is not asked for', async () => {
    const text = await bodyText(
      await post({ model: faultModels.healthy, messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    );
    const chunks = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it("answers a body that is not JSON with a 400 in OpenAI's error shape", async () => {
    const response = await post('{"model": "switchboard/auto", "messages": [');
    expect(response.status).toBe(400);
    // The JSON parser runs before routing; the application-wide filter still answers OpenAI's routes in OpenAI's shape.
    const body = (await response.json()) as {
      error: { message: string; type: string; param: unknown; code: unknown };
    };
    expect(body.error.message).toMatch(/not valid JSON.*Content-Type: application\/json/);
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error).toHaveProperty('param');
    expect(body.error).toHaveProperty('code');
  });

  it('names the missing body when the client sent no JSON', async () => {
    const response = await fetch(`${app.base}/v1/chat/completions`, {
      method: 'POST',
      headers: app.authorization,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; param: string } };
    expect(body.error.param).toBe('(root)');
    expect(body.error.message).toMatch(/Content-Type: application\/json/);
  });

  it('sends the decision id with errors too, and answers 404 in OpenAI’s shape', async () => {
    const response = await post({ model: 'nowhere/nothing', messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-switchboard-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      error: {
        message: expect.stringContaining('nowhere/nothing'),
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('stops the model’s work when the client disconnects', async () => {
    const abort = new AbortController();
    const sentAt = Date.now();
    const pending = post(
      { model: faultModels.neverAnswers, messages: [{ role: 'user', content: 'Hello?' }], stream: true },
      { 'x-switchboard-policy': faultsPolicy, 'x-switchboard-failover': 'off' },
      abort.signal,
    ).catch((error: unknown) => error);
    // This request's attempt, not the health probe's: the prober asks the same model for a whole
    // answer (not a stream) on its own schedule, and aborting on the probe's attempt would cancel
    // the request before the gateway had even received it.
    const gatewayAttempt = (attempt: { model: string; stream: boolean; arrivedAt: number }): boolean =>
      attempt.model === 'never-answers' && attempt.stream && attempt.arrivedAt >= sentAt;
    while (!app.faultServer.attempts().some(gatewayAttempt)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    abort.abort();
    expect(await pending).toBeInstanceOf(Error);
    const cancelled = /switchboard_attempts_total\{model="fault\/never-answers",outcome="cancelled"[^}]*\} 1/;
    let metrics = '';
    // The engine would otherwise wait out the policy's 10 s header deadline; cancelled, it ends at once.
    // The wait stays below that deadline so the test still tells the two apart, with room for a
    // machine busy with the rest of the suite.
    for (let waited = 0; waited < 8_000 && !cancelled.test(metrics); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      metrics = await (await fetch(`${app.base}/metrics`, { headers: app.authorization })).text();
    }
    expect(metrics).toMatch(cancelled);
  });
});
