import type { ChatRequest } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { mapChatRequest } from './map-openai-request.ts';

const options = { providerModel: 'gpt-4o-mini', maxTokensParameter: 'max_completion_tokens' as const };

describe('mapChatRequest', () => {
  it('maps a conversation with an assistant tool call and its result the way OpenAI expects it', () => {
    const request: ChatRequest = {
      messages: [
        { role: 'system', content: 'You narrate.' },
        { role: 'user', content: 'Where am I?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'look_around', arguments: '{"radius":3}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: '{"place":"a quiet harbour"}' },
      ],
    };
    expect(mapChatRequest(request, options).messages).toEqual([
      { role: 'system', content: 'You narrate.' },
      { role: 'user', content: 'Where am I?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'look_around', arguments: '{"radius":3}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"place":"a quiet harbour"}' },
    ]);
  });

  it('sends sampling fields, tools, tool choice and JSON mode, and leaves unset fields out', () => {
    const params = mapChatRequest(
      {
        messages: [{ role: 'user', content: 'hi' }],
        maxOutputTokens: 256,
        temperature: 0.7,
        topP: 0.9,
        stop: ['\n\n'],
        seed: 42,
        tools: [{ name: 'roll_dice', description: 'Rolls dice', parameters: { type: 'object' } }],
        toolChoice: { name: 'roll_dice' },
        responseFormat: 'json',
      },
      options,
    );
    expect(params).toMatchObject({
      model: 'gpt-4o-mini',
      max_completion_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      stop: ['\n\n'],
      seed: 42,
      tools: [
        {
          type: 'function',
          function: { name: 'roll_dice', description: 'Rolls dice', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'roll_dice' } },
      response_format: { type: 'json_object' },
    });
    const bare = mapChatRequest({ messages: [{ role: 'user', content: 'hi' }], stop: [] }, options);
    expect(Object.keys(bare).sort()).toEqual(['messages', 'model']);
  });

  it('puts the output limit in max_tokens for servers that read that field', () => {
    const params = mapChatRequest(
      { messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 64, toolChoice: 'required' },
      { providerModel: 'llama3.2', maxTokensParameter: 'max_tokens' },
    );
    expect(params).toMatchObject({ max_tokens: 64, tool_choice: 'required' });
    expect(params).not.toHaveProperty('max_completion_tokens');
  });
});
