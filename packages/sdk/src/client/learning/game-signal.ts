import type { QualitySignal, SafetyScreenOutcome } from '@switchboard/core';

/** The implicit signals a game reports about an answer, by what the player did next. */
export const gameSignals = ['continued', 'regenerated', 'abandoned'] as const;

/**
 * What the player did after reading an answer. Each maps to one core `QualitySignal` of the same
 * name, which core's `qualitySignalEvidence` turns into pseudo-observations of the model's Beta
 * quality posterior for the task (before time discounting):
 *
 * | signal        | α (good) | β (bad) | why                                                                 |
 * | ------------- | -------- | ------- | ------------------------------------------------------------------- |
 * | `continued`   | 0.25     | 0       | weak praise: players carry on after mediocre text too               |
 * | `regenerated` | 0        | 0.75    | an explicit rejection of this very text                             |
 * | `abandoned`   | 0        | 0.5     | often the text, but players also leave for reasons of their own     |
 *
 * Explicit feedback (a score s from 0 to 1) adds s to α and 1 − s to β: one whole observation.
 * A safety screen's outcome (see {@link SafetyScreenOutcome}) adds 0.05 / 0 for `passed`, 1 / 0 for
 * `flagged-correctly`, 0 / 3 for `missed` and 0 / 0.5 for `false-alarm`. Core's table is the
 * authority; these figures are quoted from it.
 */
export type GameSignal = (typeof gameSignals)[number];

const known: ReadonlySet<string> = new Set(gameSignals);

/** Whether `value` names a {@link GameSignal}. */
export function isGameSignal(value: unknown): value is GameSignal {
  return typeof value === 'string' && known.has(value);
}

/** The core quality signal of a game signal; throws a `RangeError` naming the allowed ones otherwise. */
export function qualitySignalOfGameSignal(signal: GameSignal): QualitySignal {
  if (!isGameSignal(signal)) {
    throw new RangeError(
      `Unknown game signal "${String(signal)}": expected one of ${gameSignals.join(', ')} ` +
        '(for a rating, call feedback(decisionId, score) instead).',
    );
  }
  return { type: signal };
}

/** The core quality signal of a safety screen's outcome. */
export function qualitySignalOfScreenOutcome(outcome: SafetyScreenOutcome): QualitySignal {
  return { type: 'safety-screen', outcome };
}
