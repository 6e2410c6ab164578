import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseTherapeuticContext,
  riskLevels,
  taskTypes,
  type TherapeuticContextInput,
} from '../context/therapeutic-context.ts';
import type { ModelSpecInput } from '../registry/model-spec.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';
import { routingPolicySchema, type RoutingPolicyInput } from '../registry/routing-policy.ts';
import { healthFromMap } from './health-views.ts';
import { select } from './select.ts';
import type { CircuitStatus, Decision, SelectionInput, SelectionRequest } from './selection-types.ts';
import { statsFromPriors } from './stats-from-priors.ts';
import { testModel, testSnapshot } from './testing/test-registry.ts';

const providers = ['cloud-a', 'cloud-b', 'local'] as const;

/**
 * A number spread evenly over [min, max] in 1/1000 steps. `fc.double` spreads over the binary
 * representations of doubles instead, most of which are tiny, which would leave most of the range
 * (say creativity 0.4 to 0.9) nearly untested.
 */
const evenly = (min: number, max: number) =>
  fc.integer({ min: 0, max: 1_000 }).map((step) => min + ((max - min) * step) / 1_000);

/** `value` one time in `outOf`, else undefined: a constraint present often enough, absent most of the time. */
const sometimes = <T>(value: fc.Arbitrary<T>, outOf = 4) =>
  fc.oneof({ weight: outOf - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

/** True one time in `outOf`. */
const rarely = (outOf: number) => fc.integer({ min: 1, max: outOf }).map((draw) => draw === 1);

/** One random model: any mix of capabilities, tiers, privacy, prices, windows and latencies. */
const modelArbitrary = (id: string): fc.Arbitrary<ModelSpecInput> =>
  fc
    .record({
      provider: fc.constantFrom(...providers),
      contextWindow: fc.constantFrom(4_096, 8_192, 32_768, 128_000),
      maxOutputTokens: fc.constantFrom(256, 1_024, 4_096),
      tools: rarely(4).map((lacking) => !lacking),
      jsonMode: rarely(4).map((lacking) => !lacking),
      streaming: rarely(4).map((lacking) => !lacking),
      price: fc.option(
        fc.record({
          input: fc.integer({ min: 0, max: 20_000_000 }),
          output: fc.integer({ min: 0, max: 60_000_000 }),
        }),
        { freq: 6 },
      ),
      local: fc.boolean(),
      zeroRetention: fc.boolean(),
      safetyTier: fc.constantFrom(0, 1, 2, 3),
      quality: fc.integer({ min: 0, max: 100 }),
      firstTokenP50Ms: fc.integer({ min: 50, max: 3_000 }),
      p95Factor: evenly(1, 4),
      tokensPerSecond: fc.integer({ min: 5, max: 300 }),
      enabled: fc.integer({ min: 0, max: 9 }).map((draw) => draw < 8),
    })
    .map((fields) =>
      testModel(id, {
        provider: fields.provider,
        contextWindow: fields.contextWindow,
        maxOutputTokens: Math.min(fields.maxOutputTokens, fields.contextWindow),
        capabilities: {
          streaming: fields.streaming,
          tools: fields.tools,
          jsonMode: fields.jsonMode,
          systemRole: true,
          assistantPrefill: false,
        },
        price:
          fields.price === null
            ? null
            : {
                inputPerMillionMicros: fields.price.input,
                outputPerMillionMicros: fields.price.output,
                version: 'property-1',
              },
        privacy: { local: fields.local, zeroRetention: fields.zeroRetention },
        safetyTier: fields.safetyTier as 0 | 1 | 2 | 3,
        qualityPriors: { default: fields.quality / 100, byTask: {} },
        latencyPriors: {
          timeToFirstTokenP50Ms: fields.firstTokenP50Ms,
          timeToFirstTokenP95Ms: fields.firstTokenP50Ms * fields.p95Factor,
          outputTokensPerSecond: fields.tokensPerSecond,
        },
        enabled: fields.enabled,
      }),
    );

/** 1 to 12 random models with ids `m0`, `m1`, ... */
const modelsArbitrary = fc
  .integer({ min: 1, max: 12 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => modelArbitrary(`m${index}`))));

const policyArbitrary: fc.Arbitrary<RoutingPolicyInput> = fc.record({
  name: fc.constant('default'),
  weights: fc.record({ quality: evenly(0, 3), latency: evenly(0, 3), cost: evenly(0, 3) }),
  explorationRate: fc.constantFrom(0, 0.1, 0.5, 1),
  maxCandidates: fc.integer({ min: 1, max: 6 }),
  temperatureRange: fc
    .tuple(evenly(0, 2), evenly(0, 2))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
});

const contextArbitrary: fc.Arbitrary<TherapeuticContextInput> = fc.record({
  taskType: fc.constantFrom(...taskTypes),
  riskLevel: fc.constantFrom(...riskLevels),
  creativity: evenly(0, 1),
  privacy: rarely(3).map((sensitive) => (sensitive ? 'sensitive' : 'standard')),
  costCeilingMicros: sometimes(fc.integer({ min: 0, max: 300_000 })),
  latencyBudgetMs: sometimes(fc.integer({ min: 500, max: 60_000 })),
});

const requestArbitrary = (modelIds: readonly string[]): fc.Arbitrary<SelectionRequest> =>
  fc.record({
    estimatedInputTokens: fc.integer({ min: 0, max: 40_000 }),
    maxOutputTokens: sometimes(fc.integer({ min: 1, max: 8_000 }), 2),
    requiresTools: rarely(5),
    requiresJsonMode: rarely(5),
    requiresStreaming: rarely(5),
    pinnedModelId: sometimes(fc.constantFrom(...modelIds, 'not-registered')),
    excludeModelIds: sometimes(fc.subarray([...modelIds])),
    minSafetyTier: sometimes(fc.integer({ min: 0, max: 3 })),
  });

const circuitArbitrary = fc.constantFrom<CircuitStatus>('closed', 'closed', 'half-open', 'open');

/** A random selection: registry, policy, context, request, circuits, budget and seed. */
const inputArbitrary: fc.Arbitrary<SelectionInput> = fc
  .tuple(modelsArbitrary, policyArbitrary)
  .chain(([models, policy]) => {
    const snapshot = testSnapshot({ models, policies: [policy] });
    const modelIds = models.map((model) => model.id);
    return fc.record({
      snapshot: fc.constant(snapshot),
      context: contextArbitrary.map((context) => parseTherapeuticContext(context)),
      request: requestArbitrary(modelIds),
      health: fc
        .array(circuitArbitrary, { minLength: modelIds.length, maxLength: modelIds.length })
        .map((statuses) => healthFromMap(new Map(modelIds.map((id, index) => [id, statuses[index]!])))),
      stats: fc.constant(statsFromPriors(snapshot)),
      budget: sometimes(
        fc.record({
          remainingMicros: sometimes(fc.integer({ min: 0, max: 300_000 }), 2),
          preferCheaper: fc.boolean(),
        }),
      ),
      seed: fc.integer(),
    });
  });

function modelOf(snapshot: RegistrySnapshot, modelId: string) {
  const model = snapshot.models.find((candidate) => candidate.id === modelId);
  if (model === undefined) throw new Error(`test bug: ${modelId} is not in the snapshot`);
  return model;
}

function policyOf(snapshot: RegistrySnapshot) {
  return snapshot.policies[0] ?? routingPolicySchema.parse({ name: 'default' });
}

/** The output allowance selection gives this model for this request. */
function allowanceOn(input: SelectionInput, modelId: string): number {
  const requested = input.request.maxOutputTokens ?? policyOf(input.snapshot).defaultMaxOutputTokens;
  return Math.min(requested, modelOf(input.snapshot, modelId).maxOutputTokens);
}

const runs = { numRuns: 300 };

describe('select: universal properties', () => {
  it('lists only models at or above the safety tier of the risk level (and of the request)', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = select(input);
        const required = Math.max(
          policyOf(input.snapshot).riskRules[input.context.riskLevel].minSafetyTier,
          input.request.minSafetyTier ?? 0,
        );
        for (const candidate of decision.candidates) {
          expect(modelOf(input.snapshot, candidate.modelId).safetyTier).toBeGreaterThanOrEqual(required);
        }
      }),
      runs,
    );
  });

  it('never explores at elevated or crisis risk, even at an exploration rate of 1', () => {
    fc.assert(
      fc.property(inputArbitrary, fc.constantFrom('elevated', 'crisis' as const), (input, riskLevel) => {
        const decision = select({ ...input, context: { ...input.context, riskLevel } });
        expect(decision.explored).toBe(false);
        expect(decision.candidates.every((candidate) => !candidate.exploratory)).toBe(true);
      }),
      runs,
    );
  });

  it('explores only by putting one other model before the one the score ranks first, and otherwise ranks by the score', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const steadySnapshot = structuredClone(input.snapshot);
        steadySnapshot.policies[0]!.explorationRate = 0;
        const decision = select(input);
        const steadyIds = select({ ...input, snapshot: steadySnapshot }).candidates.map(
          (candidate) => candidate.modelId,
        );
        const ids = decision.candidates.map((candidate) => candidate.modelId);
        if (!decision.explored) {
          expect(ids).toEqual(steadyIds);
          return;
        }
        expect(['none', 'low']).toContain(input.context.riskLevel);
        expect(input.request.pinnedModelId).toBeUndefined();
        expect(decision.candidates[0]!.exploratory).toBe(true);
        expect(ids[0]).not.toBe(steadyIds[0]);
        if (ids.length > 1) expect(ids[1]).toBe(steadyIds[0]);
      }),
      runs,
    );
  });

  it('keeps the temperature within the risk level ceiling and the policy range', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const { temperature } = select(input).parameters;
        const policy = policyOf(input.snapshot);
        expect(temperature).toBeLessThanOrEqual(policy.riskRules[input.context.riskLevel].maxTemperature);
        expect(temperature).toBeLessThanOrEqual(policy.temperatureRange.max + 1e-9);
        expect(temperature).toBeGreaterThanOrEqual(0);
      }),
      runs,
    );
  });

  it('lists only local or zero-retention models for sensitive contexts', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = select({ ...input, context: { ...input.context, privacy: 'sensitive' } });
        for (const candidate of decision.candidates) {
          const { privacy } = modelOf(input.snapshot, candidate.modelId);
          expect(privacy.local || privacy.zeroRetention).toBe(true);
        }
      }),
      runs,
    );
  });

  it('lists only models whose window holds the prompt plus their output allowance', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        for (const candidate of select(input).candidates) {
          const model = modelOf(input.snapshot, candidate.modelId);
          expect(model.contextWindow).toBeGreaterThanOrEqual(
            input.request.estimatedInputTokens + allowanceOn(input, candidate.modelId),
          );
        }
      }),
      runs,
    );
  });

  it('never ranks an open-circuit model above a healthy one, and lists open ones when nothing else qualifies', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = select(input);
        const firstOpen = decision.candidates.findIndex((candidate) => candidate.circuit === 'open');
        if (firstOpen >= 0) {
          expect(
            decision.candidates.slice(firstOpen).every((candidate) => candidate.circuit === 'open'),
          ).toBe(true);
        }
        const allClosed = select({ ...input, health: healthFromMap({}) });
        const allOpen = select({
          ...input,
          health: healthFromMap(new Map(input.snapshot.models.map((model) => [model.id, 'open' as const]))),
        });
        expect(allOpen.candidates.length).toBe(allClosed.candidates.length);
        expect(allOpen.candidates.every((candidate) => candidate.circuit === 'open')).toBe(true);
      }),
      runs,
    );
  });

  it('lists only models whose worst-case cost fits the cost ceiling and the budget', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const ceiling = input.context.costCeilingMicros;
        const remaining = input.budget?.remainingMicros;
        for (const candidate of select(input).candidates) {
          if (ceiling !== undefined) expect(candidate.estimatedCostMicros).toBeLessThanOrEqual(ceiling);
          if (remaining !== undefined) expect(candidate.estimatedCostMicros).toBeLessThanOrEqual(remaining);
        }
      }),
      runs,
    );
  });

  it('lists only models expected to answer within the latency budget', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const budget = input.context.latencyBudgetMs;
        if (budget === undefined) return;
        for (const candidate of select(input).candidates) {
          const { latencyPriors } = modelOf(input.snapshot, candidate.modelId);
          const expectedMs =
            latencyPriors.timeToFirstTokenP95Ms +
            (allowanceOn(input, candidate.modelId) * 1000) / latencyPriors.outputTokensPerSecond;
          expect(expectedMs).toBeLessThanOrEqual(budget);
        }
      }),
      runs,
    );
  });

  it('accounts for every model exactly once: candidate, rejection, or qualified but not listed', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const decision = select(input);
        const listed = decision.candidates.map((candidate) => candidate.modelId);
        const rejected = decision.rejections.map((rejection) => rejection.modelId);
        expect(new Set([...listed, ...rejected]).size).toBe(listed.length + rejected.length);
        expect(listed.length).toBeLessThanOrEqual(policyOf(input.snapshot).maxCandidates);
        for (const rejection of decision.rejections) expect(rejection.reason.length).toBeGreaterThan(10);
        expect(decision.candidates.length === 0).toBe(decision.noEligibleModel !== undefined);
        if (decision.candidates.length === 0) {
          expect(rejected.length).toBe(input.snapshot.models.length);
        }
      }),
      runs,
    );
  });

  it('is deterministic: the same input and seed give a deep-equal decision', () => {
    fc.assert(
      fc.property(inputArbitrary, (input) => {
        const first = select(input);
        expect(select(input)).toEqual(first);
        expect(select({ ...input, snapshot: structuredClone(input.snapshot) })).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });
});

/** Registries of models that all qualify, so only the score decides; exploration off. */
const scoringInputArbitrary = (costWeight: fc.Arbitrary<number>) =>
  fc
    .tuple(
      fc.integer({ min: 2, max: 10 }).chain((count) =>
        fc.tuple(
          ...Array.from({ length: count }, (_, index) =>
            fc
              .record({
                quality: fc.integer({ min: 0, max: 100 }),
                firstTokenP95Ms: fc.integer({ min: 100, max: 5_000 }),
                tokensPerSecond: fc.integer({ min: 5, max: 300 }),
                price: fc.integer({ min: 0, max: 30_000_000 }),
              })
              .map((fields) =>
                testModel(`m${index}`, {
                  qualityPriors: { default: fields.quality / 100, byTask: {} },
                  latencyPriors: {
                    timeToFirstTokenP50Ms: fields.firstTokenP95Ms / 2,
                    timeToFirstTokenP95Ms: fields.firstTokenP95Ms,
                    outputTokensPerSecond: fields.tokensPerSecond,
                  },
                  price: {
                    inputPerMillionMicros: fields.price,
                    outputPerMillionMicros: fields.price * 3,
                    version: 'property-1',
                  },
                }),
              ),
          ),
        ),
      ),
      evenly(0.01, 3),
      evenly(0.01, 3),
      costWeight,
    )
    .map(([models, quality, latency, cost]) =>
      testSnapshot({
        models,
        policies: [
          { name: 'default', explorationRate: 0, maxCandidates: 1, weights: { quality, latency, cost } },
        ],
      }),
    );

const creativityPair = fc
  .tuple(evenly(0, 1), evenly(0, 1))
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

function topAt(snapshot: RegistrySnapshot, creativity: number, riskLevel: 'none' | 'elevated', seed: number) {
  const decision: Decision = select({
    context: parseTherapeuticContext({ creativity, riskLevel }),
    request: { estimatedInputTokens: 500, maxOutputTokens: 400 },
    snapshot,
    health: healthFromMap({}),
    stats: statsFromPriors(snapshot),
    seed,
  });
  const top = decision.candidates[0];
  if (top === undefined) throw new Error('test bug: every model should qualify');
  const model = modelOf(snapshot, top.modelId);
  const expectedMs =
    model.latencyPriors.timeToFirstTokenP95Ms + (400 * 1000) / model.latencyPriors.outputTokensPerSecond;
  return { top, qualityPrior: model.qualityPriors.default, expectedMs };
}

const tolerance = 1e-9;

describe('select: the creativity knob is monotone', () => {
  it('when cost carries no weight, more creativity never picks a lower-quality prior nor a faster model (posterior means)', () => {
    fc.assert(
      fc.property(scoringInputArbitrary(fc.constant(0)), creativityPair, (snapshot, [low, high]) => {
        const before = topAt(snapshot, low, 'elevated', 1);
        const after = topAt(snapshot, high, 'elevated', 1);
        expect(after.qualityPrior).toBeGreaterThanOrEqual(before.qualityPrior - tolerance);
        expect(after.expectedMs).toBeGreaterThanOrEqual(before.expectedMs - tolerance);
      }),
      runs,
    );
  });

  it('at low risk too, with any seed, the quality of the top never falls and its speed never rises', () => {
    fc.assert(
      fc.property(
        scoringInputArbitrary(fc.constant(0)),
        creativityPair,
        fc.integer(),
        (snapshot, [low, high], seed) => {
          const before = topAt(snapshot, low, 'none', seed).top.components;
          const after = topAt(snapshot, high, 'none', seed).top.components;
          expect(after.quality).toBeGreaterThanOrEqual(before.quality - tolerance);
          expect(after.latency).toBeLessThanOrEqual(before.latency + tolerance);
        },
      ),
      runs,
    );
  });

  it('whatever the cost weight, more creativity never trades quality away for speed', () => {
    fc.assert(
      fc.property(
        scoringInputArbitrary(evenly(0, 3)),
        creativityPair,
        fc.integer(),
        (snapshot, [low, high], seed) => {
          const before = topAt(snapshot, low, 'none', seed).top.components;
          const after = topAt(snapshot, high, 'none', seed).top.components;
          const lostQuality = after.quality < before.quality - tolerance;
          const gainedSpeed = after.latency > before.latency + tolerance;
          expect(lostQuality && gainedSpeed).toBe(false);
        },
      ),
      runs,
    );
  });
});
