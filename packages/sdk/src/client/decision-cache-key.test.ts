import {
  allHealthy,
  defaultRegistrySnapshot,
  parseTherapeuticContext,
  riskLevels,
  select,
  statsFromPriors,
  taskTypes,
  type SelectionRequest,
} from '@switchboard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilingBucket,
  ceilingFloor,
  decisionCacheKey,
  representativeSelection,
} from './decision-cache-key.ts';

const context = parseTherapeuticContext({ taskType: 'dialogue_generation', creativity: 0.42 });
const request: SelectionRequest = { estimatedInputTokens: 700 };

describe('decisionCacheKey', () => {
  it('gives requests in the same buckets the same key', () => {
    const near = parseTherapeuticContext({ taskType: 'dialogue_generation', creativity: 0.38 });
    expect(decisionCacheKey(near, { estimatedInputTokens: 600 })).toBe(decisionCacheKey(context, request));
  });

  it('tells apart every field selection depends on', () => {
    const base = decisionCacheKey(context, request);
    const variants = [
      decisionCacheKey({ ...context, taskType: 'narrative_generation' }, request),
      decisionCacheKey({ ...context, riskLevel: 'crisis' }, request),
      decisionCacheKey({ ...context, creativity: 0.9 }, request),
      decisionCacheKey({ ...context, privacy: 'sensitive' }, request),
      decisionCacheKey({ ...context, latencyBudgetMs: 2000 }, request),
      decisionCacheKey({ ...context, costCeilingMicros: 500 }, request),
      decisionCacheKey(context, { ...request, requiresTools: true }),
      decisionCacheKey(context, { ...request, requiresJsonMode: true }),
      decisionCacheKey(context, { ...request, requiresStreaming: true }),
      decisionCacheKey(context, { ...request, estimatedInputTokens: 5000 }),
      decisionCacheKey(context, { ...request, maxOutputTokens: 200 }),
      decisionCacheKey(context, { ...request, policyName: 'default' }),
      decisionCacheKey(context, { ...request, pinnedModelId: 'sim/fast-small' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('cannot be forged by moving text between the policy name and the pinned model', () => {
    expect(decisionCacheKey(context, { ...request, policyName: 'a|b', pinnedModelId: 'c' })).not.toBe(
      decisionCacheKey(context, { ...request, policyName: 'a', pinnedModelId: 'b|c' }),
    );
  });

  it('declines selections that exclude models or raise the safety tier (one request only)', () => {
    expect(decisionCacheKey(context, { ...request, excludeModelIds: ['sim/fast-small'] })).toBeUndefined();
    expect(decisionCacheKey(context, { ...request, minSafetyTier: 2 })).toBeUndefined();
  });
});

describe('representativeSelection', () => {
  it('stays in its bucket and is the strictest member of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (value) => {
        const bucket = ceilingBucket(value)!;
        const floor = ceilingFloor(bucket);
        expect(floor).toBeLessThanOrEqual(value);
        expect(ceilingBucket(floor)).toBe(bucket);
      }),
    );
  });

  it('selects a decision whose hard constraints hold for every request that shares its key', () => {
    const snapshot = defaultRegistrySnapshot();
    const stats = statsFromPriors(snapshot);
    fc.assert(
      fc.property(
        fc.constantFrom(...taskTypes),
        fc.constantFrom(...riskLevels),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 500, max: 60_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        (taskType, riskLevel, creativity, costCeilingMicros, latencyBudgetMs, estimatedInputTokens) => {
          const exact = parseTherapeuticContext({
            taskType,
            riskLevel,
            creativity,
            costCeilingMicros,
            latencyBudgetMs,
          });
          const exactRequest: SelectionRequest = { estimatedInputTokens, maxOutputTokens: 512 };
          const representative = representativeSelection(exact, exactRequest);
          expect(decisionCacheKey(representative.context, representative.request)).toBe(
            decisionCacheKey(exact, exactRequest),
          );
          const decision = select({ ...representative, snapshot, health: allHealthy, stats, seed: 1 });
          for (const candidate of decision.candidates) {
            const model = snapshot.models.find((entry) => entry.id === candidate.modelId)!;
            expect(candidate.estimatedCostMicros).toBeLessThanOrEqual(costCeilingMicros);
            expect(model.contextWindow).toBeGreaterThanOrEqual(estimatedInputTokens + 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
