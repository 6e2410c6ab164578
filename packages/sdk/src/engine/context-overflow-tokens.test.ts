import { describe, expect, it } from 'vitest';
import { ProviderError } from '@switchboard/core';
import { tokensAfterContextOverflow } from './context-overflow-tokens.ts';

const overflow = (providerMessage: string | undefined): ProviderError =>
  new ProviderError({
    kind: 'context_length',
    message: 'HTTP 400: the prompt does not fit the model.',
    providerMessage,
  });

describe('tokensAfterContextOverflow', () => {
  it("reads the prompt size from OpenAI's and Anthropic's wording", () => {
    const openai =
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens.";
    expect(tokensAfterContextOverflow(overflow(openai), 8_192, 512)).toBe(9_120);
    expect(
      tokensAfterContextOverflow(
        overflow('prompt is too long: 210,000 tokens > 200000 maximum'),
        200_000,
        1_024,
      ),
    ).toBe(210_000);
  });

  it('falls back to what the refusing window proves when the provider states no count', () => {
    expect(tokensAfterContextOverflow(overflow('Input is too long.'), 8_192, 1_000)).toBe(7_193);
    expect(tokensAfterContextOverflow(overflow(undefined), undefined, 1_000)).toBe(1);
  });
});
