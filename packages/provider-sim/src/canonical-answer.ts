import { splitIntoPieces, splitIntoTokens } from './token-chunks.ts';

/**
 * The text every healthy fault-server answer (and every healthy simulated answer in fault mode)
 * consists of, so a test can compare what an adapter returns with what was sent, character for
 * character. Readable narration, so a failing assertion's diff is easy to read.
 */
export const CANONICAL_ANSWER =
  'The lantern flickers as you step into the greenhouse. Rain taps softly on the glass, and the air ' +
  "smells of wet soil and mint. On the potting bench, a small clay bird waits beside a folded note in your grandmother's " +
  'handwriting. Somewhere behind the ferns, a kettle begins to sing. You can read the note, follow the sound, ' +
  'or simply sit for a while and listen to the rain.';

/**
 * {@link CANONICAL_ANSWER} in the chunks the fault server streams, one per token. Its length is the
 * completion token count the server reports, and `cut-after-<n>` sends exactly the first n.
 */
export const CANONICAL_ANSWER_TOKENS: readonly string[] = Object.freeze(splitIntoTokens(CANONICAL_ANSWER));

/** The arguments of the tool call `healthy-tools` makes, as JSON text. */
export const CANONICAL_TOOL_ARGUMENTS = '{"scene":"forest"}';

/** {@link CANONICAL_TOOL_ARGUMENTS} in the pieces a stream delivers them in (several deltas). */
export const CANONICAL_TOOL_ARGUMENT_CHUNKS: readonly string[] = Object.freeze(
  splitIntoPieces(CANONICAL_TOOL_ARGUMENTS, 5),
);

/** The answer of `healthy-json`: a safety-screen verdict, valid JSON. */
export const CANONICAL_JSON_ANSWER = '{"risk":"none","reason":"The player is exploring calmly."}';
