import { isProviderError, type ChatRequest } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { convertToAnthropicRequest, type AnthropicRequestSettings } from './convert-to-anthropic-request.ts';

const settings: AnthropicRequestSettings = {
  model: 'claude-sonnet-5-5',
  defaultMaxOutputTokens: 1024,
  sendSamplingParameters: false,
  context: { provider: 'anthropic', modelId: 'anthropic/claude-sonnet-5-5' },
};

function convert(request: ChatRequest, overrides: Partial<AnthropicRequestSettings> = {}) {
  return convertToAnthropicRequest(request, { ...settings, ...overrides });
}

describe('convertToAnthropicRequest', () => {
  it('moves every system message into the top-level system parameter', () => {
    const body = convert({
      messages: [
        { role: 'system', content: 'You are the narrator of a gentle story.' },
        { role: 'user', content: 'Where am I?' },
        { role: 'system', content: 'The player is anxious; keep the pace calm.' },
      ],
    });
    expect(body.system).toBe(
      'You are the narrator of a gentle story.\n\nThe player is anxious; keep the pace calm.',
    );
    expect(body.messages).toEqual([{ role: 'user', content: 'Where am I?' }]);
  });

  it('merges consecutive turns of one role so that user and assistant alternate', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'I open the door.' },
        { role: 'user', content: 'Slowly.' },
        { role: 'assistant', content: 'The door creaks.' },
        { role: 'assistant', content: 'A lantern glows.' },
        { role: 'user', content: 'I step in.' },
      ],
    });
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(body.messages[0]?.content).toEqual([
      { type: 'text', text: 'I open the door.' },
      { type: 'text', text: 'Slowly.' },
    ]);
  });

  it('sends tool calls as tool_use blocks and tool results as one user turn of tool_result blocks', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'What is the weather in both towns?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          toolCalls: [
            { id: 'toolu_1', name: 'get_weather', arguments: '{"town":"Elmstead"}' },
            { id: 'toolu_2', name: 'get_weather', arguments: '' },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: 'Rain' },
        { role: 'tool', toolCallId: 'toolu_2', content: 'Sun' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'What is the weather in both towns?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { town: 'Elmstead' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Rain' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'Sun' },
        ],
      },
    ]);
  });

  it('puts tool results ahead of user text that shares their turn', () => {
    const body = convert({
      messages: [
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'toolu_1', name: 'roll_dice', arguments: '{}' }],
        },
        { role: 'user', content: 'And then?' },
        { role: 'tool', toolCallId: 'toolu_1', content: '6' },
      ],
    });
    expect(body.messages[1]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: '6' },
      { type: 'text', text: 'And then?' },
    ]);
  });

  it('refuses a transcript whose tool arguments are not a JSON object, naming the call', () => {
    const attempt = () =>
      convert({
        messages: [
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'toolu_9', name: 'look', arguments: '{"at":' }],
          },
        ],
      });
    expect(attempt).toThrow(/toolu_9 \(look\)/);
    try {
      attempt();
    } catch (error) {
      expect(isProviderError(error) && error.kind).toBe('bad_request');
    }
  });

  it('keeps a trailing assistant message as a prefill without trailing whitespace', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Tell me about the lighthouse.' },
        { role: 'assistant', content: 'The lighthouse stood ' },
      ],
    });
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'The lighthouse stood' });
  });

  it('drops a prefill that is only whitespace', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: '  \n' },
      ],
    });
    expect(body.messages).toEqual([{ role: 'user', content: 'Hello' }]);
  });

  it('maps tools, tool choice, stop sequences and max tokens', () => {
    const body = convert({
      messages: [{ role: 'user', content: 'Roll for me.' }],
      maxOutputTokens: 300,
      stop: ['THE END'],
      tools: [
        {
          name: 'roll_dice',
          description: 'Rolls dice',
          parameters: { properties: { sides: { type: 'integer' } }, required: ['sides'] },
        },
      ],
      toolChoice: { name: 'roll_dice' },
    });
    expect(body.max_tokens).toBe(300);
    expect(body.stop_sequences).toEqual(['THE END']);
    expect(body.tools).toEqual([
      {
        name: 'roll_dice',
        description: 'Rolls dice',
        input_schema: { type: 'object', properties: { sides: { type: 'integer' } }, required: ['sides'] },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'roll_dice' });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
  ] as const)('maps tool choice %s', (toolChoice, expected) => {
    const body = convert({
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ name: 'look', parameters: { type: 'object' } }],
      toolChoice,
    });
    expect(body.tool_choice).toEqual(expected);
  });

  it('sends no tool choice when there are no tools, and 1024 max tokens by default', () => {
    const body = convert({ messages: [{ role: 'user', content: 'Hi' }], toolChoice: 'required' });
    expect(body.tool_choice).toBeUndefined();
    expect(body.max_tokens).toBe(1024);
  });

  it('leaves sampling parameters out unless asked, because API version 2026-10-21 rejects them', () => {
    const request: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }], temperature: 0.7, topP: 0.9 };
    const body = convert(request);
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('top_p');
  });

  it("clamps temperature to Anthropic's 0..1 when sampling parameters are sent", () => {
    const hot = convert(
      { messages: [{ role: 'user', content: 'Hi' }], temperature: 1.6, topP: 0.9 },
      { sendSamplingParameters: true },
    );
    expect(hot.temperature).toBe(1);
    expect(hot.top_p).toBe(0.9);
    const cold = convert(
      { messages: [{ role: 'user', content: 'Hi' }], temperature: -1 },
      { sendSamplingParameters: true },
    );
    expect(cold.temperature).toBe(0);
  });
});
