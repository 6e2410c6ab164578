import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stitch } from './stitch.ts';

const joined = (partial: string, continuation: string): string => stitch(partial, continuation).text;

describe('stitch', () => {
  it('appends a clean continuation as it is', () => {
    expect(joined('The lake is', ' calm tonight.')).toBe('The lake is calm tonight.');
    expect(joined('It was beauti', 'ful.')).toBe('It was beautiful.');
  });

  it('drops the words the continuing model repeated', () => {
    const result = stitch('The lake lies still under a pale', 'under a pale sky.');
    expect(result.text).toBe('The lake lies still under a pale sky.');
    expect(result.appended).toBe(' sky.');
    expect(result.overlapLength).toBe('under a pale'.length);
    expect(joined('The lake lies still under a pale', ' under a pale sky.')).toBe(
      'The lake lies still under a pale sky.',
    );
  });

  it('drops a short repeated word when it is a whole word', () => {
    expect(joined('I walked down to', 'to the shore.')).toBe('I walked down to the shore.');
    expect(joined('You are safe and', ' and you are heard.')).toBe('You are safe and you are heard.');
  });

  it('does not mistake a letter or two that happen to match for a repeat', () => {
    expect(joined('Missis', 'sippi')).toBe('Mississippi');
    expect(joined('a cup of cof', 'fee')).toBe('a cup of coffee');
    expect(joined('a ban', 'ana')).toBe('a banana');
    expect(joined('the book', 'keeper')).toBe('the bookkeeper');
    expect(joined('a bana', 'na split')).toBe('a banana split');
    expect(joined('It is in room 1', '1 on the left.')).toBe('It is in room 11 on the left.');
  });

  it('handles a model that restates the whole partial answer', () => {
    expect(joined('Breathe in', 'Breathe in slowly, then out.')).toBe('Breathe in slowly, then out.');
    expect(joined('Breathe in', '\nBreathe in slowly.')).toBe('Breathe in slowly.');
    expect(joined('Bre', 'Breathe.')).toBe('Breathe.');
  });

  it('leaves no double space and no doubled blank line at the seam', () => {
    expect(joined('and then ', ' we rested.')).toBe('and then we rested.');
    expect(joined('The end.\n\n', '\n\nA new day.')).toBe('The end.\n\nA new day.');
    expect(joined('The end.\n', '\nA new day.')).toBe('The end.\nA new day.');
  });

  it('restores a missing space after a sentence or a clause', () => {
    expect(joined('You did well.', 'Rest now.')).toBe('You did well. Rest now.');
    expect(joined('Slowly,', 'gently.')).toBe('Slowly, gently.');
    expect(joined('It costs 3.', '14 coins')).toBe('It costs 3.14 coins');
    expect(joined('Wait...', 'what?')).toBe('Wait...what?');
  });

  it('keeps the continuation whole when there was nothing before it', () => {
    expect(stitch('', '  Hello.')).toEqual({
      text: '  Hello.',
      appended: '  Hello.',
      overlapLength: 0,
      removedLength: 0,
    });
  });

  it('copes with a long, repetitive restatement', () => {
    const partial = 'ha'.repeat(20_000);
    const result = stitch(partial, `${partial}!`);
    expect(result.text).toBe(`${partial}!`);
    expect(result.overlapLength).toBe(partial.length);
  });
});

// ---- properties ----

const word = fc
  .tuple(
    fc.boolean(),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 8 }),
    fc.constantFrom('', '', '', '.', ',', '!', '?'),
  )
  .map(
    ([capital, letters, punctuation]) =>
      (capital ? letters[0]!.toUpperCase() + letters.slice(1) : letters) + punctuation,
  );
/** Prose: words separated by one space or one line break. */
const prose = fc
  .array(fc.tuple(word, fc.constantFrom(' ', ' ', ' ', '\n')), { minLength: 1, maxLength: 40 })
  .map((pieces) =>
    pieces
      .map(([text, separator]) => text + separator)
      .join('')
      .trimEnd(),
  );

/** Overlaps longer than `overlap`, at least two characters, that the text has by coincidence. */
function hasLongerCoincidence(partial: string, continuation: string, overlap: number): boolean {
  const leading = continuation.length - continuation.trimStart().length;
  const body = continuation.slice(leading);
  for (let length = 2; length <= Math.min(partial.length, continuation.length); length += 1) {
    if (length > overlap && partial.endsWith(continuation.slice(0, length))) return true;
    if (leading + length > overlap && length <= body.length && partial.endsWith(body.slice(0, length)))
      return true;
  }
  return false;
}

const minimumOverlap = 8;

describe('stitch properties', () => {
  it('rebuilds the text exactly when the continuation repeats at least the minimum overlap', () => {
    fc.assert(
      fc.property(prose, fc.nat(), fc.nat(), (text, cutSeed, overlapSeed) => {
        const cut = cutSeed % (text.length + 1);
        fc.pre(cut >= minimumOverlap);
        const overlap = minimumOverlap + (overlapSeed % (cut - minimumOverlap + 1));
        const partial = text.slice(0, cut);
        const continuation = text.slice(cut - overlap);
        fc.pre(!hasLongerCoincidence(partial, continuation, overlap));
        expect(stitch(partial, continuation, { minimumOverlap }).text).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('rebuilds the text exactly when the continuation repeats nothing', () => {
    fc.assert(
      fc.property(prose, fc.nat(), (text, cutSeed) => {
        const cut = cutSeed % (text.length + 1);
        const partial = text.slice(0, cut);
        const continuation = text.slice(cut);
        fc.pre(!hasLongerCoincidence(partial, continuation, 0));
        expect(stitch(partial, continuation).text).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the partial answer and drops nothing of the continuation beyond repeated text and seam whitespace', () => {
    const messy = fc.string({ unit: fc.constantFrom('a', 'b', 'C', ' ', '\n', '.', ','), maxLength: 30 });
    fc.assert(
      fc.property(messy, messy, fc.integer({ min: 1, max: 10 }), (partial, continuation, minimum) => {
        const result = stitch(partial, continuation, { minimumOverlap: minimum });
        expect(result.text.startsWith(partial)).toBe(true);
        expect(result.text).toBe(partial + result.appended);
        expect([
          continuation.slice(result.removedLength),
          ` ${continuation.slice(result.removedLength)}`,
        ]).toContain(result.appended);
        const removed = continuation.slice(0, result.removedLength);
        expect(removed.trim().length).toBeLessThanOrEqual(result.overlapLength);
        expect(partial.trimEnd().endsWith(removed.trim())).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
