import 'reflect-metadata';
import {
  CANONICAL_ANSWER,
  CANONICAL_TOOL_ARGUMENTS,
  CONTENT_POLICY_MESSAGE,
} from '@switchboard/provider-sim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import {
  faultModels,
  faultsPolicy,
  startGatewayTestApp,
  testAdminKey,
  type GatewayTestApp,
} from './support/gateway-test-app.ts';
import {
  openAiClient,
  openAiErrors,
  type ClientChunk,
  type ClientMessage,
  type OpenAiClient,
} from './support/openai-client.ts';

const healthyModels: string[] = [faultModels.healthy, faultModels.healthyTools];

/** Everything the client threw, or a failure when it threw nothing. */
async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the request to fail');
}

async function collectChunks(stream: AsyncIterable<ClientChunk>): Promise<ClientChunk[]> {
  const chunks: ClientChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const lookAround = {
  type: 'function' as const,
  function: {
    name: 'look_around',
    description: 'Describe the scene the player is in.',
    parameters: { type: 'object', properties: { scene: { type: 'string' } }, required: ['scene'] },
  },
};

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`the gateway through the openai client on ${target.name}`, () => {
    let app: GatewayTestApp;
    let client: OpenAiClient;

    beforeAll(async () => {
      app = await startGatewayTestApp(target);
      client = openAiClient(app.base, app.apiKey);
    });
    afterAll(() => app?.close());

    it('answers a chat completion, naming the model that answered and the decision', async () => {
      const { data, response } = await client.chat.completions
        .create({
          model: 'switchboard/auto',
          messages: [
            { role: 'system', content: 'You narrate a gentle text adventure.' },
            { role: 'user', content: 'I open the greenhouse door.' },
          ],
          switchboard: { task: 'narrative_generation', risk: 'low', creativity: 0.7 },
        })
        .withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: CANONICAL_ANSWER });
      expect(data.choices[0]!.finish_reason).toBe('stop');
      expect(healthyModels).toContain(data.model);
      expect(response.headers.get('x-switchboard-model')).toBe(data.model);
      const decisionId = response.headers.get('x-switchboard-decision-id');
      expect(decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(data.id).toBe(`chatcmpl-${decisionId}`);
      expect(data.usage).toMatchObject({
        completion_tokens: expect.any(Number),
        prompt_tokens: expect.any(Number),
      });
      expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    });

    it('streams the answer with usage last when asked for', async () => {
      const { data: stream, response } = await client.chat.completions
        .create({
          model: 'switchboard/auto',
          messages: [{ role: 'user', content: 'Where am I?' }],
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const chunks = await collectChunks(stream);
      expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
      expect(text).toBe(CANONICAL_ANSWER);
      const finish = chunks.at(-2)!;
      expect(finish.choices[0]!.finish_reason).toBe('stop');
      const usage = chunks.at(-1)!;
      expect(usage.choices).toEqual([]);
      expect(usage.usage?.completion_tokens).toBeGreaterThan(0);
      expect(healthyModels).toContain(response.headers.get('x-switchboard-model'));
      expect(chunks.every((chunk) => chunk.id === chunks[0]!.id)).toBe(true);
    });

    it('passes tools through and takes the tool result back on the next turn', async () => {
      const question: ClientMessage[] = [{ role: 'user', content: 'What do I see?' }];
      const first = await client.chat.completions.create({
        model: 'switchboard/auto',
        messages: question,
        tools: [lookAround],
      });
      expect(first.model).toBe(faultModels.healthyTools);
      expect(first.choices[0]!.finish_reason).toBe('tool_calls');
      const call = first.choices[0]!.message.tool_calls![0]!;
      expect(call).toMatchObject({
        type: 'function',
        function: { name: 'look_around', arguments: CANONICAL_TOOL_ARGUMENTS },
      });
      expect(first.choices[0]!.message.content).toBeNull();

      app.faultServer.reset();
      const second = await client.chat.completions.create({
        model: 'switchboard/auto',
        messages: [
          ...question,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'A greenhouse full of ferns.' },
        ],
        tools: [lookAround],
        tool_choice: 'none',
      });
      expect(second.choices[0]!.message.content).toBe(CANONICAL_ANSWER);
      expect(second.choices[0]!.finish_reason).toBe('stop');
      const seen = app.faultServer.attempts().at(-1)!;
      expect(seen).toMatchObject({ lastMessageRole: 'tool', messageCount: 3, toolCount: 1 });
    });

    it('streams tool calls as OpenAI does, with index, id, type and function', async () => {
      const stream = await client.chat.completions.create({
        model: 'switchboard/auto',
        messages: [{ role: 'user', content: 'Look around.' }],
        tools: [lookAround],
        stream: true,
      });
      const chunks = await collectChunks(stream);
      const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      expect(calls).toEqual([
        {
          index: 0,
          id: expect.any(String),
          type: 'function',
          function: { name: 'look_around', arguments: CANONICAL_TOOL_ARGUMENTS },
        },
      ]);
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
    });

    it('round-trips an OpenHands-style agent request under LiteLLM’s openai/ prefix', async () => {
      const systemPrompt = `You are OpenHands agent, a helpful AI assistant.\n${'<ROLE>Solve tasks carefully.</ROLE>\n'.repeat(400)}`;
      const tools = ['execute_bash', 'str_replace_editor', 'think', 'finish', 'browser'].map((name) => ({
        type: 'function' as const,
        function: {
          name,
          description: `The ${name} tool. `.repeat(20),
          parameters: {
            type: 'object',
            properties: {
              command: { type: 'string', description: 'What to run.' },
              path: { type: 'string' },
            },
            required: ['command'],
          },
        },
      }));
      const messages: ClientMessage[] = [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: 'Fix the failing test in the repository.' },
      ];
      for (let turn = 0; turn < 3; turn += 1) {
        const { data, response } = await client.chat.completions
          .create({ model: 'openai/switchboard/auto', messages, tools, temperature: 0 })
          .withResponse();
        expect(data.model).toBe(faultModels.healthyTools);
        expect(response.headers.get('x-switchboard-decision-id')).toBeTruthy();
        const call = data.choices[0]!.message.tool_calls![0]!;
        expect(call.function.name).toBe('execute_bash');
        messages.push({ role: 'assistant', content: data.choices[0]!.message.content, tool_calls: [call] });
        messages.push({
          role: 'tool',
          tool_call_id: call.id,
          content: `exit code 0\n${'output line\n'.repeat(50)}`,
        });
      }
      const last = await client.chat.completions.create({
        model: 'openai/switchboard/auto',
        messages,
        tools,
        tool_choice: 'none',
      });
      expect(last.choices[0]!.message.content).toBe(CANONICAL_ANSWER);
      expect(app.faultServer.attempts().at(-1)).toMatchObject({
        messageCount: 8,
        toolCount: 5,
        lastMessageRole: 'tool',
      });
    });

    it('pins a model with openai/<model id> too', async () => {
      const completion = await client.chat.completions.create({
        model: `openai/${faultModels.healthy}`,
        messages: [{ role: 'user', content: 'Hello' }],
      });
      expect(completion.model).toBe(faultModels.healthy);
    });

    it('lists every enabled model, switchboard/auto and each policy', async () => {
      const list = await client.models.list();
      const ids = list.data.map((model) => model.id);
      expect(ids).toEqual(
        expect.arrayContaining([faultModels.healthy, 'switchboard/auto', `switchboard/${faultsPolicy}`]),
      );
      expect(ids).not.toContain('sim/fast-small');
    });

    it('fails over from a pinned model that is down, and answers 503 when failover is off', async () => {
      app.faultServer.reset();
      const { data, response } = await client.chat.completions
        .create(
          { model: faultModels.unavailable, messages: [{ role: 'user', content: 'Hello?' }] },
          { headers: { 'x-switchboard-policy': faultsPolicy } },
        )
        .withResponse();
      expect(healthyModels).toContain(data.model);
      expect(response.headers.get('x-switchboard-model')).toBe(data.model);
      expect(data.choices[0]!.message.content).toBe(CANONICAL_ANSWER);
      expect(app.faultServer.attempts().map((attempt) => attempt.model)).toContain('unavailable');

      const { data: stream, response: streamed } = await client.chat.completions
        .create(
          { model: faultModels.unavailable, messages: [{ role: 'user', content: 'Hello?' }], stream: true },
          { headers: { 'x-switchboard-policy': faultsPolicy } },
        )
        .withResponse();
      const chunks = await collectChunks(stream);
      expect(healthyModels).toContain(streamed.headers.get('x-switchboard-model'));
      expect(chunks.every((chunk) => chunk.model === streamed.headers.get('x-switchboard-model'))).toBe(true);

      const error = await rejection(
        client.chat.completions.create(
          {
            model: faultModels.unavailable,
            messages: [{ role: 'user', content: 'Hello?' }],
            switchboard: { failover: false },
          },
          { headers: { 'x-switchboard-policy': faultsPolicy } },
        ),
      );
      expect(error).toBeInstanceOf(openAiErrors.InternalServerError);
      expect(error.status).toBe(503);
      expect(error.message).toMatch(/fault\/unavailable/);
      const header = await rejection(
        client.chat.completions.create(
          { model: faultModels.unavailable, messages: [{ role: 'user', content: 'Hello?' }] },
          { headers: { 'x-switchboard-policy': faultsPolicy, 'x-switchboard-failover': 'off' } },
        ),
      );
      expect(header.status).toBe(503);

      // The failures reached passive health and the metrics.
      const health = await fetch(`${app.base}/admin/health/models`, {
        headers: { authorization: `Bearer ${testAdminKey}` },
      });
      const reports = ((await health.json()) as { data: { modelId: string; window: { failures: number } }[] })
        .data;
      expect(
        reports.find((report) => report.modelId === faultModels.unavailable)?.window.failures,
      ).toBeGreaterThan(0);
      const metrics = await (await fetch(`${app.base}/metrics`)).text();
      expect(metrics).toMatch(
        /switchboard_attempts_total\{model="fault\/unavailable",outcome="failed",error_kind="overloaded"\} [1-9]/,
      );
    });

    it('answers a player in crisis with the safe message, flagged, when every safe model fails', async () => {
      const headers = { 'x-switchboard-policy': faultsPolicy, 'x-switchboard-risk': 'crisis' };
      const { data, response } = await client.chat.completions
        .create(
          { model: 'switchboard/auto', messages: [{ role: 'user', content: 'I cannot go on.' }] },
          { headers },
        )
        .withResponse();
      expect(response.headers.get('x-switchboard-fallback')).toBe('safe-message');
      expect(data.model).toBe('switchboard/safe-message');
      expect(data.choices[0]!.message.content).toMatch(/findahelpline\.com/);
      expect(data.choices[0]!.finish_reason).toBe('stop');

      const { data: stream, response: streamed } = await client.chat.completions
        .create(
          {
            model: 'switchboard/auto',
            messages: [{ role: 'user', content: 'I cannot go on.' }],
            stream: true,
          },
          { headers },
        )
        .withResponse();
      expect(streamed.headers.get('x-switchboard-fallback')).toBe('safe-message');
      const text = (await collectChunks(stream))
        .map((chunk) => chunk.choices[0]?.delta.content ?? '')
        .join('');
      expect(text).toBe(data.choices[0]!.message.content);
    });

    it('answers 400 naming the field for an invalid body', async () => {
      const error = await rejection(
        client.chat.completions.create({
          model: 'switchboard/auto',
          messages: [{ role: 'user', content: 'Hi' }],
          temperature: 7,
          switchboard: { risk: 'panicking' },
        }),
      );
      expect(error).toBeInstanceOf(openAiErrors.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.param).toBe('temperature');
      expect(error.message).toMatch(/temperature: expected a number from 0 to 2/);
      expect(error.message).toMatch(/switchboard\.risk: expected one of none, low, elevated, crisis/);
    });

    it('answers 404 model_not_found for an unknown model', async () => {
      const error = await rejection(
        client.chat.completions.create({
          model: 'gpt-17-ultra',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );
      expect(error).toBeInstanceOf(openAiErrors.NotFoundError);
      expect(error.status).toBe(404);
      expect(error.code).toBe('model_not_found');
      expect(error.message).toMatch(/gpt-17-ultra.*GET \/v1\/models/);
    });

    it('answers 400 content_filter with the provider’s reason', async () => {
      const error = await rejection(
        client.chat.completions.create(
          { model: faultModels.contentPolicy, messages: [{ role: 'user', content: 'Something refused.' }] },
          { headers: { 'x-switchboard-policy': faultsPolicy, 'x-switchboard-failover': 'off' } },
        ),
      );
      expect(error).toBeInstanceOf(openAiErrors.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.code).toBe('content_filter');
      expect(error.message).toContain(CONTENT_POLICY_MESSAGE);
    });

    it('answers 400 no_eligible_model at crisis risk when no tier-3 model exists', async () => {
      const error = await rejection(
        client.chat.completions.create(
          { model: 'switchboard/auto', messages: [{ role: 'user', content: 'I do not want to go on.' }] },
          { headers: { 'x-switchboard-risk': 'crisis' } },
        ),
      );
      expect(error).toBeInstanceOf(openAiErrors.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.code).toBe('no_eligible_model');
      expect(error.message).toMatch(/safety tier/);
    });

    it('refuses a request without a key in OpenAI’s shape', async () => {
      if (app.apiKey === undefined) return expect(app.apiKey).toBeUndefined();
      const error = await rejection(
        openAiClient(app.base, 'sb_service_not-a-real-key').chat.completions.create({
          model: 'switchboard/auto',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );
      expect(error).toBeInstanceOf(openAiErrors.AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/Unknown or revoked API key/);
    });

    it('lowers a temperature above the risk level’s ceiling and says so', async () => {
      const { response } = await client.chat.completions
        .create(
          { model: 'switchboard/auto', messages: [{ role: 'user', content: 'Hi' }], temperature: 1.9 },
          { headers: { 'x-switchboard-risk': 'low' } },
        )
        .withResponse();
      expect(response.headers.get('x-switchboard-temperature-clamped')).toMatch(
        /requested 1\.9, applied 1\.1/,
      );
    });

    it('sends an error event and no [DONE] when the answer breaks off with failover off', async () => {
      const stream = await client.chat.completions.create(
        {
          model: faultModels.cutAfterFive,
          messages: [{ role: 'user', content: 'Tell me a story.' }],
          stream: true,
        },
        { headers: { 'x-switchboard-policy': faultsPolicy, 'x-switchboard-failover': 'off' } },
      );
      const received: ClientChunk[] = [];
      const error = await rejection(
        (async () => {
          for await (const chunk of stream) received.push(chunk);
        })(),
      );
      expect(error).toBeInstanceOf(openAiErrors.APIError);
      expect(error.message).toMatch(/broke off/);
      expect(received.some((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '')).toBe(true);
      expect(received.some((chunk) => chunk.choices[0]?.finish_reason !== null)).toBe(false);
    });
  });
}
