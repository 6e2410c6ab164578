import {
  CANONICAL_ANSWER,
  CANONICAL_TOOL_ARGUMENTS,
  startFaultServer,
  type FaultServer,
} from '@switchboard/provider-sim/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlaneProcess, type ControlPlaneProcess } from './support/control-plane-process.ts';

/**
 * What examples/openhands/README.md promises: an OpenHands / LiteLLM-style client — the official
 * `openai` client, an `openai/`-prefixed model, a long system prompt, several tools and tool-call
 * turns — works against the gateway, under a policy of its own as the README advises. The tool-calling
 * model is the fault server's `healthy-tools` behind an OpenAI-compatible provider, over real HTTP.
 */
type ChatRequest = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
type Message = OpenAI.Chat.ChatCompletionMessageParam;

const codingPolicy = 'coding-agent';
const toolModel = 'fault/healthy-tools';

async function admin(controlPlane: ControlPlaneProcess, route: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${controlPlane.baseUrl}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${controlPlane.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`POST ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer;
}

describe('examples/openhands: an agent through LiteLLM’s openai/ prefix', () => {
  let controlPlane: ControlPlaneProcess;
  let faultServer: FaultServer;
  let client: OpenAI;

  beforeAll(async () => {
    faultServer = await startFaultServer();
    controlPlane = await startControlPlaneProcess();
    await admin(controlPlane, '/admin/providers', {
      id: 'fault',
      kind: 'openai-compatible',
      baseUrl: faultServer.openaiBaseUrl,
    });
    await admin(controlPlane, '/admin/models', {
      id: toolModel,
      provider: 'fault',
      providerModel: 'healthy-tools',
      contextWindow: 128_000,
      maxOutputTokens: 4_096,
      capabilities: {
        streaming: true,
        tools: true,
        jsonMode: true,
        systemRole: true,
        assistantPrefill: false,
      },
      price: { inputPerMillionMicros: 1_000_000, outputPerMillionMicros: 2_000_000, version: 'docs' },
      safetyTier: 1,
      qualityPriors: { default: 0.9 },
      latencyPriors: { timeToFirstTokenP50Ms: 20, timeToFirstTokenP95Ms: 60, outputTokensPerSecond: 2_000 },
    });
    await admin(controlPlane, '/admin/policies', {
      name: codingPolicy,
      description: 'Coding agents (OpenHands): tool-capable models with a large window.',
      allowModels: [toolModel],
    });
    const created = (await admin(controlPlane, '/admin/api-keys', {
      name: 'openhands',
      scope: 'service',
    })) as { key: string };
    client = new OpenAI({ baseURL: `${controlPlane.baseUrl}/v1`, apiKey: created.key, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await controlPlane?.stop();
    await faultServer?.close();
  });

  it('lists the coding policy as a model a client can pick', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(
      expect.arrayContaining(['switchboard/auto', `switchboard/${codingPolicy}`, toolModel]),
    );
  });

  it('runs several tool-call turns and a final answer with openai/switchboard/<policy>', async () => {
    const tools = ['execute_bash', 'str_replace_editor', 'think', 'finish', 'browser'].map((name) => ({
      type: 'function' as const,
      function: {
        name,
        description: `The ${name} tool. `.repeat(20),
        parameters: {
          type: 'object',
          properties: { command: { type: 'string', description: 'What to run.' }, path: { type: 'string' } },
          required: ['command'],
        },
      },
    }));
    const messages: Message[] = [
      {
        role: 'system',
        content: `You are OpenHands agent.\n${'<ROLE>Solve tasks carefully.</ROLE>\n'.repeat(300)}`,
      },
      { role: 'user', content: 'Fix the failing test in the repository.' },
    ];
    for (let turn = 0; turn < 3; turn += 1) {
      const request: ChatRequest = {
        model: `openai/switchboard/${codingPolicy}`,
        messages,
        tools,
        temperature: 0,
      };
      const { data, response } = await client.chat.completions
        .create(request, { headers: { 'x-switchboard-task': 'general_chat' } })
        .withResponse();
      expect(data.model).toBe(toolModel);
      expect(response.headers.get('x-switchboard-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(data.choices[0]!.finish_reason).toBe('tool_calls');
      const call = data.choices[0]!.message.tool_calls![0]!;
      expect(call).toMatchObject({
        type: 'function',
        function: { name: 'execute_bash', arguments: CANONICAL_TOOL_ARGUMENTS },
      });
      messages.push({ role: 'assistant', content: data.choices[0]!.message.content, tool_calls: [call] });
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        content: `exit code 0\n${'output line\n'.repeat(40)}`,
      });
    }
    const last = await client.chat.completions.create({
      model: `openai/switchboard/${codingPolicy}`,
      messages,
      tools,
      tool_choice: 'none',
    });
    expect(last.choices[0]!.message.content).toBe(CANONICAL_ANSWER);
    expect(faultServer.attempts().at(-1)).toMatchObject({
      messageCount: 8,
      toolCount: 5,
      lastMessageRole: 'tool',
    });
  });

  it('streams a tool call the way LiteLLM reads it', async () => {
    const stream = await client.chat.completions.create({
      model: `openai/switchboard/${codingPolicy}`,
      messages: [{ role: 'user', content: 'List the files.' }],
      tools: [{ type: 'function', function: { name: 'execute_bash', parameters: { type: 'object' } } }],
      stream: true,
    });
    const calls: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'execute_bash' } });
    expect(calls.map((call) => call.function?.arguments ?? '').join('')).toBe(CANONICAL_TOOL_ARGUMENTS);
    expect(finish).toBe('tool_calls');
  });
});
