import type { SelectionRequest, TherapeuticContext } from '@switchboard/core';

/** A context and request that select the same way for every request with one cache key. */
export interface RepresentativeSelection {
  /** Creativity rounded to its bucket; latency budget and cost ceiling lowered to their bucket's floor. */
  context: TherapeuticContext;
  /** The prompt raised to its bucket's size. */
  request: SelectionRequest;
}

/** Creativity is bucketed in tenths: its effect on weights and temperature is smooth. */
const creativitySteps = 10;
/** Ceilings are bucketed in quarter powers of two (steps of about 19%). */
const ceilingStepsPerDoubling = 4;

/** Bucket of a ceiling; `-1` holds zero (nothing may be spent). */
export function ceilingBucket(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value <= 0) return -1;
  return Math.floor(Math.log2(value) * ceilingStepsPerDoubling);
}

/** The smallest value of a ceiling bucket: never above any value in the bucket. */
export function ceilingFloor(bucket: number): number {
  if (bucket < 0) return 0;
  return Math.max(1, Math.ceil(2 ** (bucket / ceilingStepsPerDoubling) - 1e-9));
}

/** Prompt sizes are bucketed by powers of two, rounded up. */
function tokenBucket(tokens: number): number {
  return tokens <= 1 ? 0 : Math.ceil(Math.log2(tokens));
}

/**
 * The decision-cache key of a selection, or `undefined` when the selection must not be cached: it
 * excludes models or raises the safety tier (a failover's re-selection, specific to one request).
 *
 * The key covers task type, risk level, creativity (tenths), privacy, latency budget and cost
 * ceiling (quarter powers of two, steps of about 19%), the tools / JSON / streaming requirements,
 * the prompt size (powers of two), the requested output allowance, the policy name and the pinned
 * model. Budgets are not part of it: a caller with a budget view must not use the cache. Built by
 * string concatenation, without allocating objects, because it runs on every request.
 */
export function decisionCacheKey(context: TherapeuticContext, request: SelectionRequest): string | undefined {
  if ((request.excludeModelIds?.length ?? 0) > 0 || request.minSafetyTier !== undefined) return undefined;
  const flags =
    (request.requiresTools === true ? 1 : 0) |
    (request.requiresJsonMode === true ? 2 : 0) |
    (request.requiresStreaming === true ? 4 : 0);
  // The two free-text fields come last, the policy name length-prefixed, so no pair of names can
  // produce the key of another pair.
  const policy = request.policyName;
  return (
    `${context.taskType}|${context.riskLevel}|${Math.round(context.creativity * creativitySteps)}|` +
    `${context.privacy}|${ceilingBucket(context.latencyBudgetMs) ?? '-'}|` +
    `${ceilingBucket(context.costCeilingMicros) ?? '-'}|${flags}|${tokenBucket(request.estimatedInputTokens)}|` +
    `${request.maxOutputTokens ?? '-'}|${policy === undefined ? '*' : `${policy.length}:${policy}`}|` +
    `${request.pinnedModelId ?? ''}`
  );
}

/**
 * What to select with so the decision can serve every request of the same {@link decisionCacheKey}.
 *
 * Selection's hard constraints (cost ceiling, latency budget, context window) must hold for every
 * request that later reuses the decision, so the representative is the strictest member of its
 * bucket: the lowest cost ceiling and latency budget, the largest prompt. Selecting with it can
 * only turn away a model that the exact request would have admitted near a limit, never admit one
 * the exact request forbids. When that leaves no candidate, select again with the exact request
 * (and do not cache the result).
 */
export function representativeSelection(
  context: TherapeuticContext,
  request: SelectionRequest,
): RepresentativeSelection {
  const representativeContext: TherapeuticContext = {
    ...context,
    creativity: Math.round(context.creativity * creativitySteps) / creativitySteps,
  };
  const latency = ceilingBucket(context.latencyBudgetMs);
  if (latency !== undefined) representativeContext.latencyBudgetMs = ceilingFloor(latency);
  const cost = ceilingBucket(context.costCeilingMicros);
  if (cost !== undefined) representativeContext.costCeilingMicros = ceilingFloor(cost);
  return {
    context: representativeContext,
    request: { ...request, estimatedInputTokens: 2 ** tokenBucket(request.estimatedInputTokens) },
  };
}
