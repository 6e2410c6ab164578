import type { ProviderError } from '@switchboard/core';

const tokenCountPattern = /(\d[\d,]*)\s*tokens/gi;

/**
 * The prompt size a `context_length` refusal proves, in tokens, for the reselection. Providers
 * usually state it ("your messages resulted in 9120 tokens", "prompt is too long: 210000 tokens >
 * 200000 maximum"): the largest token count in the message is the prompt (or prompt plus
 * allowance), never the smaller limit. Without one, the refusal still proves that the prompt plus
 * the output allowance did not fit the model's window.
 */
export function tokensAfterContextOverflow(
  error: ProviderError,
  refusingWindow: number | undefined,
  outputAllowance: number,
): number {
  let stated = 0;
  for (const text of [error.providerMessage, error.message]) {
    if (text === undefined) continue;
    for (const match of text.matchAll(tokenCountPattern)) {
      const value = Number((match[1] ?? '').replaceAll(',', ''));
      if (Number.isFinite(value) && value > stated) stated = value;
    }
  }
  const proven = refusingWindow === undefined ? 1 : Math.max(1, refusingWindow - outputAllowance + 1);
  return Math.max(stated, proven);
}
