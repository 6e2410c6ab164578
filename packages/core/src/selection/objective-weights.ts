import type { ObjectiveWeights } from '../registry/routing-policy.ts';

/**
 * How far the creativity knob tilts the policy's weights: at creativity 0 the quality weight is
 * divided by 6 and the latency weight multiplied by 6, at creativity 1 the other way round, and at
 * 0.5 the policy's weights apply as written. Six is strong enough that the extremes do what their
 * names say (fastest adequate model, highest-quality model) under evenly weighted policies.
 */
const creativityTilt = 2 * Math.log(6);

/**
 * The weights selection scores with, normalised to sum to 1 (the ranking depends only on their
 * ratios). Creativity moves weight between quality and latency only, multiplicatively and
 * monotonically: the quality weight only rises with creativity, the latency weight only falls, and
 * the cost weight does not move. That is what makes the knob's effect provable: for two
 * creativities c1 < c2 over the same candidates, the model ranked first at c2 never has lower
 * quality and at least as good latency as the one ranked first at c1 (a rise in creativity never
 * trades quality away for speed), and when cost carries no weight its quality never falls and its
 * latency never improves.
 *
 * `preferCheaper` (a soft budget running low) adds the policy's mean weight to the cost weight, so
 * even a policy that ignores cost starts to count it.
 */
export function deriveObjectiveWeights(
  policyWeights: ObjectiveWeights,
  creativity: number,
  preferCheaper: boolean,
): ObjectiveWeights {
  const knob = creativity > 1 ? 1 : creativity > 0 ? creativity : 0;
  const tilt = Math.exp(creativityTilt * (knob - 0.5));
  const quality = policyWeights.quality * tilt;
  const latency = policyWeights.latency / tilt;
  const meanWeight = (policyWeights.quality + policyWeights.latency + policyWeights.cost) / 3;
  const cost = preferCheaper ? policyWeights.cost + meanWeight : policyWeights.cost;
  const total = quality + latency + cost;
  if (!(total > 0)) return { quality: 1 / 3, latency: 1 / 3, cost: 1 / 3 };
  return { quality: quality / total, latency: latency / total, cost: cost / total };
}
