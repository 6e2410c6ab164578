/**
 * Token-sized pieces of a text: each word or punctuation mark with the whitespace before it. Not a
 * real tokenizer, but close enough in count and shape that streams look like a provider's, and the
 * pieces always join back to the exact text.
 */
const tokenPattern = /\s*(?:[\p{L}\p{N}'’]+|[^\p{L}\p{N}'’\s])|\s+$/gu;

/** Splits a text into token-sized chunks that join back to exactly the same text. */
export function splitIntoTokens(text: string): string[] {
  return text.match(tokenPattern) ?? [];
}

/**
 * Estimates prompt tokens from characters, about four characters per token, as providers' own
 * rules of thumb do. Never zero for a non-empty text.
 */
export function estimateTokensFromCharacters(characters: number): number {
  return Math.ceil(Math.max(0, characters) / 4);
}

/** Splits a text into pieces of at most `size` characters (used for streamed tool-call arguments). */
export function splitIntoPieces(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}
