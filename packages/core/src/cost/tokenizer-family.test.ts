import { describe, expect, it } from 'vitest';
import { tokenizerFamilyFor } from './tokenizer-family.ts';

describe('tokenizerFamilyFor', () => {
  it.each([
    ['openai', 'gpt-4o', 'openai'],
    ['openai', 'o3-mini', 'openai'],
    ['openai', 'ft:gpt-4o-mini-2024-07-18:studio::abc123', 'openai'],
    ['openrouter', 'openai/gpt-4.1', 'openai'],
    ['azure-openai', 'studio-narrator-deployment', 'openai'],
    ['anthropic', 'claude-sonnet-4-20250514', 'anthropic'],
    ['openrouter', 'anthropic/claude-3.5-sonnet', 'anthropic'],
    ['bedrock', 'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic'],
    ['ollama', 'llama3.1:8b', 'llama'],
    ['openrouter', 'meta-llama/llama-3.3-70b-instruct', 'llama'],
    ['groq', 'llama-3.1-8b-instant', 'llama'],
    ['ollama', 'qwen2.5:7b', 'llama'],
    ['azure-openai', 'mistralai/mistral-large', 'unknown'],
    ['openrouter', 'google/gemini-2.0-flash', 'unknown'],
    ['lmstudio', 'mistral-7b-instruct', 'unknown'],
    ['sim', 'narrator-fast', 'unknown'],
  ] as const)('%s serving %s counts with the %s tokenizer', (provider, providerModel, family) => {
    expect(tokenizerFamilyFor({ provider, providerModel })).toBe(family);
  });

  it('matches names regardless of case', () => {
    expect(tokenizerFamilyFor({ provider: 'OpenRouter', providerModel: 'OpenAI/GPT-4o' })).toBe('openai');
  });
});
