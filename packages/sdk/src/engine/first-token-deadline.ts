/**
 * The first-token deadline of one attempt. Without observations it is the policy's `firstTokenMs`.
 * With the model's observed p95 time to first token it is that times `factor`, so a model that is
 * usually fast is given up on sooner when it goes silent; never below `minimumMs` (ordinary jitter
 * must not fail a healthy model over) and never above the policy (the operator's ceiling).
 */
export function firstTokenDeadlineMs(
  policyMs: number,
  observedP95Ms: number | undefined,
  options: { factor: number; minimumMs: number },
): number {
  if (observedP95Ms === undefined || !Number.isFinite(observedP95Ms) || observedP95Ms <= 0) return policyMs;
  return Math.min(policyMs, Math.max(options.minimumMs, observedP95Ms * options.factor));
}
