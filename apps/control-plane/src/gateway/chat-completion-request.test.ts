import { describe, expect, it } from 'vitest';
import { parseChatCompletionRequest } from './chat-completion-request.ts';
import { OpenAiError } from './openai-error.ts';

const minimal = { model: 'switchboard/auto', messages: [{ role: 'user', content: 'Hi' }] };

/** The 400 a body is refused with. */
function refusal(body: unknown, headers: Record<string, string> = {}): OpenAiError {
  try {
    parseChatCompletionRequest(body, headers);
  } catch (error) {
    if (error instanceof OpenAiError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('parseChatCompletionRequest', () => {
  it('reads an agent’s conversation: developer role, text parts, tool calls and results, tools', () => {
    const request = parseChatCompletionRequest(
      {
        model: 'openai/switchboard/auto',
        messages: [
          {
            role: 'developer',
            content: [
              { type: 'text', text: 'Be ' },
              { type: 'text', text: 'brief.' },
            ],
          },
          { role: 'user', content: 'Run the tests.', name: 'player' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'README.md' }] },
        ],
        tools: [
          {
            type: 'function',
            function: { name: 'bash', description: 'Runs a command.', parameters: { type: 'object' } },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'bash' } },
        response_format: { type: 'json_object' },
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
        seed: 7,
        stream: true,
        stream_options: { include_usage: true },
        user: 'someone',
        parallel_tool_calls: false,
        n: 1,
        logprobs: false,
        presence_penalty: 0,
        a_field_from_the_future: { anything: true },
      },
      {},
    );
    expect(request).toMatchObject({
      model: 'openai/switchboard/auto',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Run the tests.' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'bash', arguments: '{"command":"ls"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: 'README.md' },
      ],
      tools: [{ name: 'bash', description: 'Runs a command.', parameters: { type: 'object' } }],
      toolChoice: { name: 'bash' },
      responseFormat: 'json',
      maxOutputTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      seed: 7,
      stream: true,
      includeUsage: true,
    });
  });

  it('reads the routing from the switchboard field and the headers, the body winning', () => {
    const request = parseChatCompletionRequest(
      { ...minimal, switchboard: { risk: 'low', policy: 'default' } },
      { 'x-switchboard-risk': 'crisis', 'x-switchboard-task': 'summarization' },
    );
    expect(request.routing.context).toEqual({ riskLevel: 'low', taskType: 'summarization' });
    expect(request.policyPath).toBe('switchboard.policy');
  });

  it('refuses what it cannot honour, naming each field, the first as param', () => {
    const error = refusal({
      ...minimal,
      n: 3,
      logprobs: true,
      logit_bias: { '42': 10 },
      frequency_penalty: 0.5,
      functions: [],
      response_format: { type: 'json_schema', json_schema: {} },
    });
    expect(error.status).toBe(400);
    expect(error.param).toBe('response_format.type');
    for (const field of ['n', 'logprobs', 'logit_bias', 'frequency_penalty', 'functions']) {
      expect(error.message).toContain(`${field}: `);
    }
  });

  it('explains non-text content, the function role and tool results that answer nothing', () => {
    const error = refusal({
      model: 'switchboard/auto',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] },
        { role: 'function', name: 'f', content: 'x' },
        { role: 'tool', tool_call_id: 'call_9', content: 'x' },
      ],
    });
    expect(error.message).toMatch(/messages\.0\.content\.0\.type: "image_url" content is not supported/);
    expect(error.message).toMatch(/messages\.1\.role: the deprecated "function" role/);
    expect(error.message).toMatch(/messages\.2\.tool_call_id: "call_9" answers no tool call/);
  });

  it('checks tool choice against the tools sent', () => {
    expect(refusal({ ...minimal, tool_choice: 'required' }).param).toBe('tool_choice');
    expect(
      refusal({
        ...minimal,
        tools: [{ type: 'function', function: { name: 'look' } }],
        tool_choice: { type: 'function', function: { name: 'jump' } },
      }).message,
    ).toMatch(/expected one of the tools sent: look/);
  });

  it('refuses what is not a request at all, and names a missing body', () => {
    expect(refusal([1, 2]).param).toBe('(root)');
    expect(refusal(undefined).message).toMatch(/Content-Type: application\/json/);
    const empty = refusal({});
    expect(empty.message).toMatch(/model: required/);
    expect(empty.message).toMatch(/messages: required/);
  });

  it('names bad routing headers and switchboard fields in the same answer', () => {
    const error = refusal(
      { ...minimal, temperature: 3, switchboard: { risk: 'panic' } },
      { 'x-switchboard-creativity': 'lots' },
    );
    expect(error.message).toMatch(/temperature: .*switchboard\.risk: .*x-switchboard-creativity: /);
  });
});
