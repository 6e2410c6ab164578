import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskType } from '../context/therapeutic-context.ts';
import { defaultRegistryContent } from '../registry/default-registry.ts';
import { deriveObjectiveWeights } from './objective-weights.ts';

const even = { quality: 1, latency: 1, cost: 1 };
const weight = fc.integer({ min: 0, max: 300 }).map((step) => step / 100);
const creativity = fc.integer({ min: 0, max: 1_000 }).map((step) => step / 1_000);

describe('deriveObjectiveWeights', () => {
  it('applies the policy weights as written at creativity 0.5, normalised to sum to 1', () => {
    const weights = deriveObjectiveWeights({ quality: 2, latency: 1, cost: 1 }, 0.5, false);
    expect(weights.quality).toBeCloseTo(0.5, 12);
    expect(weights.latency).toBeCloseTo(0.25, 12);
    expect(weights.cost).toBeCloseTo(0.25, 12);
  });

  it('leans on latency at creativity 0 and on quality at creativity 1', () => {
    const speed = deriveObjectiveWeights(even, 0, false);
    const art = deriveObjectiveWeights(even, 1, false);
    expect(speed.latency / speed.quality).toBeCloseTo(36, 6);
    expect(art.quality / art.latency).toBeCloseTo(36, 6);
  });

  it('moves weight from latency to quality monotonically and leaves the cost ratio to the policy', () => {
    fc.assert(
      fc.property(weight, weight, weight, creativity, creativity, (quality, latency, cost, first, second) => {
        const [low, high] = first <= second ? [first, second] : [second, first];
        const before = deriveObjectiveWeights({ quality, latency, cost }, low, false);
        const after = deriveObjectiveWeights({ quality, latency, cost }, high, false);
        // Compare against cost, whose raw weight does not move: ratios are what rank models.
        if (cost > 0 && quality > 0) {
          expect(after.quality / after.cost).toBeGreaterThanOrEqual(before.quality / before.cost - 1e-9);
        }
        if (cost > 0 && latency > 0) {
          expect(after.latency / after.cost).toBeLessThanOrEqual(before.latency / before.cost + 1e-9);
        }
        expect(after.quality + after.latency + after.cost).toBeCloseTo(1, 12);
      }),
    );
  });

  it('raises the cost weight under budget pressure, even for a policy that ignores cost', () => {
    expect(deriveObjectiveWeights(even, 0.5, true).cost).toBeGreaterThan(
      deriveObjectiveWeights(even, 0.5, false).cost,
    );
    const costBlind = { quality: 1, latency: 1, cost: 0 };
    expect(deriveObjectiveWeights(costBlind, 0.5, false).cost).toBe(0);
    expect(deriveObjectiveWeights(costBlind, 0.5, true).cost).toBeGreaterThan(0.2);
  });

  it('falls back to equal weights when the policy weighs nothing', () => {
    expect(deriveObjectiveWeights({ quality: 0, latency: 0, cost: 0 }, 0.3, false)).toEqual({
      quality: 1 / 3,
      latency: 1 / 3,
      cost: 1 / 3,
    });
  });

  describe('with the default policies', () => {
    const policies = defaultRegistryContent().policies;
    const weightsFor = (task: TaskType, creativity: number) => {
      const policy = policies.find((candidate) => candidate.appliesTo.taskTypes.includes(task));
      if (policy === undefined) throw new Error(`No default policy for ${task}.`);
      return deriveObjectiveWeights(policy.weights, creativity, false);
    };

    it('puts quality first for a distressed player, though games ask calm, low-creativity answers', () => {
      // Games send creativity around 0.35 for therapeutic answers, lower still at elevated risk.
      for (const creativity of [0.2, 0.35, 0.5]) {
        const weights = weightsFor('therapeutic_response', creativity);
        expect(weights.quality).toBeGreaterThan(weights.latency + weights.cost);
      }
    });

    it('keeps risk screening and player options fast at the creativity games ask for them', () => {
      const screening = weightsFor('safety_screening', 0.1);
      expect(screening.latency).toBeGreaterThan(screening.quality + screening.cost);
      const choices = weightsFor('choice_generation', 0.4);
      expect(choices.latency).toBeGreaterThan(choices.quality);
      expect(choices.latency).toBeGreaterThan(choices.cost);
    });
  });
});
