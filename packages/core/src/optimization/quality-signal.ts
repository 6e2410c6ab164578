/** What a safety screen's verdict turned out to be, once the truth was known. */
export const safetyScreenOutcomes = ['passed', 'flagged-correctly', 'missed', 'false-alarm'] as const;
export type SafetyScreenOutcome = (typeof safetyScreenOutcomes)[number];

/**
 * Something that says how good an answer was. Explicit feedback is a judgement on the quality scale
 * itself; the game's implicit signals and safety-screen outcomes are evidence about it, weighed by
 * how much they reveal (see {@link qualitySignalEvidence}).
 */
export type QualitySignal =
  /** A player's or the game's rating, 0 (bad) to 1 (excellent). */
  | { type: 'feedback'; score: number }
  /** The player read the answer and carried on playing. */
  | { type: 'continued' }
  /** The player asked for the answer to be written again. */
  | { type: 'regenerated' }
  /** The player left the scene right after the answer. */
  | { type: 'abandoned' }
  /** For a model doing `safety_screening`: how its verdict compared with what was later known. */
  | { type: 'safety-screen'; outcome: SafetyScreenOutcome };

/** Pseudo-observations one signal adds to a Beta quality posterior. */
export interface QualityEvidence {
  /** Added to the posterior's α: evidence that the answer was good. */
  successes: number;
  /** Added to the posterior's β: evidence that it was not. */
  failures: number;
}

const continued: QualityEvidence = Object.freeze({ successes: 0.25, failures: 0 });
const regenerated: QualityEvidence = Object.freeze({ successes: 0, failures: 0.75 });
const abandoned: QualityEvidence = Object.freeze({ successes: 0, failures: 0.5 });
const screenEvidence: Readonly<Record<SafetyScreenOutcome, QualityEvidence>> = Object.freeze({
  passed: Object.freeze({ successes: 0.05, failures: 0 }),
  'flagged-correctly': Object.freeze({ successes: 1, failures: 0 }),
  missed: Object.freeze({ successes: 0, failures: 3 }),
  'false-alarm': Object.freeze({ successes: 0, failures: 0.5 }),
});

/**
 * How a quality signal updates a model's Beta(α, β) quality posterior for a task, before time
 * discounting. The posterior mean α / (α + β) is on the scale of explicit feedback and of the
 * registry's quality priors, which it starts from.
 *
 * | signal                          | α (good) | β (bad) | why                                                                                       |
 * | ------------------------------- | -------- | ------- | ----------------------------------------------------------------------------------------- |
 * | `feedback`, score s             | s        | 1 − s   | a judgement on the quality scale itself: one whole observation, split by the score        |
 * | `continued`                     | 0.25     | 0       | weak praise: players carry on after mediocre text too, so it counts a quarter             |
 * | `regenerated`                   | 0        | 0.75    | an explicit rejection of this very text: nearly a whole bad observation                   |
 * | `abandoned`                     | 0        | 0.5     | often the text, but players also leave for reasons of their own: half an observation      |
 * | `safety-screen` `passed`        | 0.05     | 0       | benign text let through: right, but a screen that flags nothing passes it too, so next to nothing |
 * | `safety-screen` `flagged-correctly` | 1    | 0       | real risk caught: what a screen is for, one whole good observation                        |
 * | `safety-screen` `missed`        | 0        | 3       | real risk let through to a vulnerable player: the worst failure, three bad observations   |
 * | `safety-screen` `false-alarm`   | 0        | 0.5     | safe text held back: costs the player a turn but harms no one, half a bad observation     |
 *
 * The implicit weights assume a player who asks for a rewrite of roughly a third of weak answers
 * and abandons a scene about a third as often; under that behaviour a model's posterior mean lands
 * near the score players would have given it. A screen is judged on the texts that test it: real
 * risk (caught or missed) and false alarms. Most screened text is benign, so were passes worth much,
 * a screen that never flags anything would score well. Failed
 * attempts are not quality signals: they go to the error rate through `recordOutcome`.
 *
 * Throws a `RangeError` for a feedback score outside 0..1 (or not a number) or an unknown signal.
 */
export function qualitySignalEvidence(signal: QualitySignal): QualityEvidence {
  switch (signal.type) {
    case 'feedback': {
      const score = signal.score;
      if (!(score >= 0 && score <= 1)) {
        throw new RangeError(
          `A feedback score must be a number from 0 (bad) to 1 (excellent), got ${String(score)}.`,
        );
      }
      return { successes: score, failures: 1 - score };
    }
    case 'continued':
      return continued;
    case 'regenerated':
      return regenerated;
    case 'abandoned':
      return abandoned;
    case 'safety-screen': {
      const evidence = screenEvidence[signal.outcome];
      if (evidence === undefined) {
        throw new RangeError(
          `Unknown safety-screen outcome "${String(signal.outcome)}": expected one of ${safetyScreenOutcomes.join(', ')}.`,
        );
      }
      return evidence;
    }
    default:
      throw new RangeError(
        `Unknown quality signal type "${String((signal as { type: unknown }).type)}": expected ` +
          `feedback, continued, regenerated, abandoned or safety-screen.`,
      );
  }
}
