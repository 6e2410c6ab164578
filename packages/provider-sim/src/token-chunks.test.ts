import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_ANSWER, CANONICAL_ANSWER_TOKENS } from './canonical-answer.ts';
import { estimateTokensFromCharacters, splitIntoTokens } from './token-chunks.ts';

describe('splitIntoTokens', () => {
  it('always joins back to exactly the original text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(splitIntoTokens(text).join('')).toBe(text);
      }),
    );
  });

  it('cuts readable text into word-sized pieces with their leading space', () => {
    expect(splitIntoTokens('You open the door, slowly.')).toEqual([
      'You',
      ' open',
      ' the',
      ' door',
      ',',
      ' slowly',
      '.',
    ]);
  });

  it('gives the canonical answer a realistic length of 60 to 100 tokens', () => {
    expect(CANONICAL_ANSWER_TOKENS.join('')).toBe(CANONICAL_ANSWER);
    expect(CANONICAL_ANSWER_TOKENS.length).toBeGreaterThanOrEqual(60);
    expect(CANONICAL_ANSWER_TOKENS.length).toBeLessThanOrEqual(100);
  });
});

describe('estimateTokensFromCharacters', () => {
  it('counts about four characters per token, rounding up', () => {
    expect(estimateTokensFromCharacters(0)).toBe(0);
    expect(estimateTokensFromCharacters(1)).toBe(1);
    expect(estimateTokensFromCharacters(400)).toBe(100);
  });
});
