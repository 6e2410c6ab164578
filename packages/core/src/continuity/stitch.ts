/** How eagerly repeated text is recognised. */
export interface StitchOptions {
  /**
   * Overlaps at least this long are removed wherever they start and end. Shorter ones are removed
   * only when they are whole words (or the whole partial answer restated), because a one- or
   * two-character match at the seam is as likely to be a real continuation ("banan" + "a split").
   * Default 8.
   */
  minimumOverlap?: number | undefined;
}

/** The joined answer and what was done at the seam. */
export interface StitchResult {
  /** The whole answer: always `partial` followed by `appended`. */
  text: string;
  /** What to show after the partial answer the player already saw. */
  appended: string;
  /** Length of the text the continuing model repeated from the end of the partial answer. */
  overlapLength: number;
  /**
   * Characters removed from the start of the continuation: the repeated text plus whitespace the
   * seam already had. Nothing else is ever removed: `appended` is `continuation.slice(removedLength)`,
   * preceded by one space when a space between two sentences was missing.
   */
  removedLength: number;
}

const defaultMinimumOverlap = 8;
/** A restatement of the whole partial answer is recognised from this length, word boundaries or not. */
const minimumRestatement = 3;
const wordCharacter = /[\p{L}\p{N}\p{M}_]/u;

/**
 * Joins a cut answer and the next model's continuation without a visible seam:
 *
 * - text the continuation repeats from the end of the partial answer is dropped once: the longest
 *   suffix of `partial` that is a prefix of the continuation (or of the continuation after its
 *   leading whitespace), if it is at least `minimumOverlap` long, or whole words, or the whole
 *   partial answer restated;
 * - whitespace the partial answer already ends with is not repeated (prefill trims it, and the
 *   model writes it again), so there is no double space or doubled blank line;
 * - a missing space after a sentence or clause (`end.Next`, `so,then`) is restored. A missing space
 *   between two words cannot be told apart from a word cut in the middle, so it is left as is.
 *
 * The result always starts with `partial`, which the player has already seen.
 */
export function stitch(partial: string, continuation: string, options: StitchOptions = {}): StitchResult {
  const minimumOverlap = options.minimumOverlap ?? defaultMinimumOverlap;
  if (partial === '') {
    return { text: continuation, appended: continuation, overlapLength: 0, removedLength: 0 };
  }
  const leadingWhitespace = continuation.length - continuation.trimStart().length;
  let skipped = 0;
  let overlapLength = longestAcceptedOverlap(partial, continuation, minimumOverlap);
  if (leadingWhitespace > 0) {
    const body = continuation.slice(leadingWhitespace);
    const afterWhitespace = longestAcceptedOverlap(partial, body, minimumOverlap);
    if (afterWhitespace > 0 && leadingWhitespace + afterWhitespace > overlapLength) {
      skipped = leadingWhitespace;
      overlapLength = afterWhitespace;
    }
  }
  let removedLength = skipped + overlapLength;
  let rest = continuation.slice(removedLength);

  const partialWhitespace = partial.length - partial.trimEnd().length;
  const seamWhitespace = partial.slice(partial.length - partialWhitespace);
  if (partialWhitespace > 0 && rest.startsWith(seamWhitespace)) {
    removedLength += partialWhitespace;
    rest = rest.slice(partialWhitespace);
  }
  const appended = missesSentenceSpace(partial, rest) ? ` ${rest}` : rest;
  return { text: partial + appended, appended, overlapLength, removedLength };
}

/** Length of the longest suffix of `partial` that starts `body` and counts as repeated text, else 0. */
function longestAcceptedOverlap(partial: string, body: string, minimumOverlap: number): number {
  for (const length of suffixPrefixLengths(partial, body)) {
    if (isRepeat(partial, body, length, minimumOverlap)) return length;
  }
  return 0;
}

function isRepeat(partial: string, body: string, length: number, minimumOverlap: number): boolean {
  if (length >= minimumOverlap) return true;
  if (length === partial.length && length >= minimumRestatement) return true;
  const overlap = body.slice(0, length);
  if (length < 2 || !wordCharacter.test(overlap)) return false;
  const before = partial[partial.length - length - 1];
  const after = body[length];
  const startsOnBoundary = !isWordCharacter(overlap[0]) || before === undefined || !isWordCharacter(before);
  const endsOnBoundary = !isWordCharacter(overlap.at(-1)) || after === undefined || !isWordCharacter(after);
  return startsOnBoundary && endsOnBoundary;
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && wordCharacter.test(character);
}

/**
 * Every length L > 0, longest first, such that the last L characters of `text` equal the first L
 * of `pattern`. Knuth-Morris-Pratt over the tail of `text`: linear, so a long answer restated in
 * full costs no more than reading it.
 */
function suffixPrefixLengths(text: string, pattern: string): number[] {
  const limit = Math.min(text.length, pattern.length);
  if (limit === 0) return [];
  const prefix = pattern.slice(0, limit);
  const failure = prefixFunction(prefix);
  let matched = 0;
  for (let index = text.length - limit; index < text.length; index += 1) {
    const character = text[index];
    while (matched > 0 && (matched === limit || prefix[matched] !== character))
      matched = failure[matched - 1]!;
    if (prefix[matched] === character) matched += 1;
  }
  const lengths: number[] = [];
  while (matched > 0) {
    lengths.push(matched);
    matched = failure[matched - 1]!;
  }
  return lengths;
}

/** `failure[i]`: length of the longest proper prefix of `text[0..i]` that is also its suffix. */
function prefixFunction(text: string): number[] {
  const failure = new Array<number>(text.length).fill(0);
  let length = 0;
  for (let index = 1; index < text.length; index += 1) {
    while (length > 0 && text[index] !== text[length]) length = failure[length - 1]!;
    if (text[index] === text[length]) length += 1;
    failure[index] = length;
  }
  return failure;
}

/** `end.Next` or `so,then`: punctuation that ends a sentence or clause, then a letter with no space. */
function missesSentenceSpace(partial: string, rest: string): boolean {
  const last = partial.at(-1);
  const next = rest[0];
  if (last === undefined || next === undefined || !/\p{L}/u.test(next)) return false;
  if ('.!?'.includes(last)) return /\p{Lu}/u.test(next);
  return ',;:'.includes(last);
}
