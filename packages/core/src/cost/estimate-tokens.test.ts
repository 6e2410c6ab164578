import { describe, expect, it } from 'vitest';
import type { ChatMessage, ToolDefinition } from '../spec/chat-model-adapter.ts';
import { tokenSamples, type TokenSampleName } from './__fixtures__/token-samples.ts';
import { estimateTextTokens, estimateTokens } from './estimate-tokens.ts';
import { tokenizerFamilies } from './tokenizer-family.ts';

const approximateFamilies = tokenizerFamilies.filter((family) => family !== 'openai');

const chooseTool: ToolDefinition = {
  name: 'choose_path',
  description: 'Records which path the player chose in the scene.',
  parameters: {
    type: 'object',
    properties: { choiceId: { type: 'string', description: 'Id of the chosen option' } },
    required: ['choiceId'],
  },
};

const moodTool: ToolDefinition = {
  name: 'set_mood',
  parameters: {
    type: 'object',
    properties: { mood: { type: 'string', enum: ['calm', 'tense', 'hopeful'] } },
  },
};

describe('estimateTextTokens with the OpenAI family (o200k_base)', () => {
  it.each([
    ['hello world', 2],
    ['Hello, world!', 4],
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['Say this is a test', 5],
    ['', 0],
  ])('counts %j as %i tokens', (text, tokens) => {
    expect(estimateTextTokens(text, 'openai')).toBe(tokens);
  });

  it('counts special-token text in a player message as ordinary text instead of failing', () => {
    expect(estimateTextTokens('<|endoftext|>', 'openai')).toBe(7);
  });

  it('counts pathological runs without whitespace at the exact count, in pieces', () => {
    // 'a' x 8 is one o200k token; the whole run is 125 tokens whether or not it is cut.
    expect(estimateTextTokens('a'.repeat(1_000), 'openai')).toBe(125);
    expect(estimateTextTokens('a'.repeat(20_000), 'openai')).toBe(2_500);
    expect(estimateTextTokens('我'.repeat(1_000), 'openai')).toBe(1_000);
  });

  it('keeps ordinary prose exact although it is scanned for long runs', () => {
    expect(estimateTextTokens(tokenSamples.english, 'openai')).toBe(432);
  });
});

describe('estimateTokens with the OpenAI family', () => {
  it("adds OpenAI's framing: 3 per message, the role, and 3 to prime the reply", () => {
    // 3 + 1 ("user") + 5 ("Say this is a test") + 3: the 12 prompt tokens gpt-4o reports for it.
    expect(estimateTokens([{ role: 'user', content: 'Say this is a test' }], { family: 'openai' })).toBe(12);
  });

  it('charges only the reply priming for an empty conversation', () => {
    expect(estimateTokens([], { family: 'openai' })).toBe(3);
  });

  it('adds 4 tokens of framing for every further message', () => {
    const one: ChatMessage[] = [{ role: 'system', content: 'hello world' }];
    const two: ChatMessage[] = [...one, { role: 'user', content: 'hello world' }];
    expect(estimateTokens(two, { family: 'openai' }) - estimateTokens(one, { family: 'openai' })).toBe(4 + 2);
  });

  it('counts the tool calls an assistant made and the tool results that answer them', () => {
    const plain: ChatMessage[] = [{ role: 'assistant', content: '' }];
    const withCall: ChatMessage[] = [
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_1', name: 'choose_path', arguments: '{"choiceId":"c1"}' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: '{"ok":true}' },
    ];
    const difference =
      estimateTokens(withCall, { family: 'openai' }) - estimateTokens(plain, { family: 'openai' });
    const callText = ['call_1', 'choose_path', '{"choiceId":"c1"}'];
    const callTokens = 3 + callText.reduce((sum, text) => sum + estimateTextTokens(text, 'openai'), 0);
    const resultTokens =
      3 + 1 + estimateTextTokens('{"ok":true}', 'openai') + estimateTextTokens('call_1', 'openai');
    expect(difference).toBe(callTokens + resultTokens);
  });
});

describe('tools', () => {
  const messages: ChatMessage[] = [{ role: 'user', content: 'I take the left path.' }];

  it.each(tokenizerFamilies)('add tokens for every definition sent (%s)', (family) => {
    const none = estimateTokens(messages, { family });
    const emptyList = estimateTokens(messages, { family, tools: [] });
    const one = estimateTokens(messages, { family, tools: [chooseTool] });
    const two = estimateTokens(messages, { family, tools: [chooseTool, moodTool] });
    expect(emptyList).toBe(none);
    expect(one).toBeGreaterThan(none);
    expect(two).toBeGreaterThan(one);
  });

  it('never count fewer tokens than the definitions hold (OpenAI family)', () => {
    const withTools = estimateTokens(messages, { family: 'openai', tools: [chooseTool] });
    const definitionText = estimateTextTokens(JSON.stringify(chooseTool), 'openai');
    expect(withTools - estimateTokens(messages, { family: 'openai' })).toBeGreaterThanOrEqual(definitionText);
  });

  it("include Claude's tool-use system prompt for the Anthropic family", () => {
    const withTools = estimateTokens(messages, { family: 'anthropic', tools: [moodTool] });
    expect(withTools - estimateTokens(messages, { family: 'anthropic' })).toBeGreaterThanOrEqual(346);
  });
});

describe('the approximation for other families', () => {
  const sampleNames = Object.keys(tokenSamples) as TokenSampleName[];

  it.each(sampleNames)('does not under-estimate the o200k_base count of the %s sample', (name) => {
    const text = tokenSamples[name];
    const real = estimateTextTokens(text, 'openai');
    for (const family of approximateFamilies) {
      expect(estimateTextTokens(text, family)).toBeGreaterThanOrEqual(real);
    }
  });

  it('errs high on English prose, but by less than half', () => {
    const real = estimateTextTokens(tokenSamples.english, 'openai');
    const estimate = estimateTextTokens(tokenSamples.english, 'unknown');
    expect(estimate / real).toBeGreaterThanOrEqual(1);
    expect(estimate / real).toBeLessThan(1.5);
  });

  it('never under-estimates English prose cut at any sentence', () => {
    const sentences = tokenSamples.english.split(/(?<=[.!?])\s+/);
    for (let end = 1; end <= sentences.length; end += 1) {
      const text = sentences.slice(0, end).join(' ');
      expect(estimateTextTokens(text, 'unknown')).toBeGreaterThanOrEqual(estimateTextTokens(text, 'openai'));
    }
  });

  it('counts Claude higher than the generic approximation', () => {
    expect(estimateTextTokens(tokenSamples.english, 'anthropic')).toBeGreaterThan(
      estimateTextTokens(tokenSamples.english, 'unknown'),
    );
  });

  it('rounds a short text up to a whole token and an empty one to zero', () => {
    expect(estimateTextTokens('a', 'unknown')).toBe(1);
    expect(estimateTextTokens('', 'unknown')).toBe(0);
  });

  it('frames every message at least as heavily as the real chat templates do', () => {
    const conversation: ChatMessage[] = [
      { role: 'system', content: 'You narrate a gentle story.' },
      { role: 'user', content: 'I open the door.' },
      { role: 'assistant', content: 'The hallway is warm and quiet.' },
    ];
    const contentOnly = conversation.reduce(
      (sum, message) => sum + estimateTextTokens(message.content, 'llama'),
      0,
    );
    // Llama 3: 5 framing tokens per message (role included) and 5 to open the reply.
    expect(estimateTokens(conversation, { family: 'llama' })).toBeGreaterThanOrEqual(contentOnly + 3 * 5 + 5);
    expect(estimateTokens(conversation, { family: 'openai' })).toBe(
      conversation.reduce((sum, message) => sum + 4 + estimateTextTokens(message.content, 'openai'), 3),
    );
  });
});
