import type { TherapeuticContext } from '../context/therapeutic-context.ts';

/**
 * Worst-case spend on one request at which a model keeps half its cost component: one cent. A
 * model at a tenth of a cent keeps 0.91 of it, one at a hundredth 0.99, a free one all of it. Cost
 * is scored in money, not as a ratio to the cheapest contender: a therapeutic game values a clearly
 * better answer over a fraction of a cent, and a ratio would make $0.0002 against $0.0001 weigh as
 * much as 20 cents against 10. Against the bundled prices a long story passage on the dearest model
 * (about 2.7 cents worst case) keeps 0.27, the same passage on a small model 0.9.
 */
export const defaultCostReferenceMicros = 10_000;

/**
 * Expected total time of an answer (p95 time to first token plus the whole allowance at the
 * model's speed) at which a model keeps half its latency component: five seconds, about what a
 * player waits on a line of dialogue before the pause shows. Half a second faster then counts
 * for little (a 2 s model keeps 0.71, a 2.5 s one 0.67), ten seconds slower for a lot, where a
 * ratio to the fastest contender made 1 s against 0.5 s weigh as much as 20 s against 10 s.
 */
export const defaultLatencyReferenceMs = 5_000;

/** The amounts at which cost and latency count half, for one request (see {@link scoringScales}). */
export interface ScoringScales {
  costReferenceMicros: number;
  latencyReferenceMs: number;
}

/**
 * The request's scales: the defaults, lowered to the request's cost ceiling and latency budget when
 * it sets lower ones. A game that caps a request at a tenth of a cent cares about hundredths of a
 * cent within that cap, and one that wants the answer within two seconds about tenths of a second.
 * A higher ceiling or budget only widens what qualifies; it does not make money or time count
 * less.
 */
export function scoringScales(
  context: Pick<TherapeuticContext, 'costCeilingMicros' | 'latencyBudgetMs'>,
): ScoringScales {
  const ceiling = context.costCeilingMicros;
  const budget = context.latencyBudgetMs;
  return {
    costReferenceMicros:
      ceiling !== undefined && ceiling > 0 && ceiling < defaultCostReferenceMicros
        ? ceiling
        : defaultCostReferenceMicros,
    latencyReferenceMs:
      budget !== undefined && budget > 0 && budget < defaultLatencyReferenceMs
        ? budget
        : defaultLatencyReferenceMs,
  };
}

/**
 * A 0..1 component for an amount where less is better (money, time): reference ÷ (reference +
 * amount). 1 for nothing, ½ at the reference, falling ever more slowly beyond it, so it never
 * reaches 0 and a dear model is still ordered against a dearer one. For small amounts it is
 * nearly 1 − amount ÷ reference: every cent (or second) costs the same share of the component,
 * whoever else qualified.
 */
export function saturatingComponent(amount: number, reference: number): number {
  return reference / (reference + amount);
}
