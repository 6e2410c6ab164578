import { describe, expect, it } from 'vitest';
import { riskLevels, taskTypes, type RiskLevel, type TaskType } from '../context/therapeutic-context.ts';
import { defaultRegistryContent, defaultRegistryEpoch, defaultRegistrySnapshot } from './default-registry.ts';
import type { ModelSpec } from './model-spec.ts';
import { registryContentSchema, findReferenceIssues } from './registry-snapshot.ts';
import type { RoutingPolicy } from './routing-policy.ts';

const content = defaultRegistryContent();
const simulated = content.models.filter((model) => model.provider === 'sim');

/** The policy that governs a task when the request names none. */
function policyFor(task: TaskType): RoutingPolicy {
  const policy =
    content.policies.find((candidate) => candidate.appliesTo.taskTypes.includes(task)) ??
    content.policies.find((candidate) => candidate.name === 'default');
  if (policy === undefined) throw new Error(`no policy governs ${task}`);
  return policy;
}

/** Models a policy lets through on safety tier alone at a risk level. */
function qualifying(models: ModelSpec[], policy: RoutingPolicy, risk: RiskLevel): ModelSpec[] {
  return models.filter(
    (model) =>
      model.enabled &&
      model.safetyTier >= policy.riskRules[risk].minSafetyTier &&
      !policy.denyModels.includes(model.id) &&
      (policy.allowModels === undefined || policy.allowModels.includes(model.id)),
  );
}

const everyTaskAndRisk = taskTypes.flatMap((task) => riskLevels.map((risk) => [task, risk] as const));

describe('defaultRegistryContent', () => {
  it('passes the schema unchanged and has no dangling references', () => {
    expect(registryContentSchema.parse(content)).toEqual(content);
    expect(findReferenceIssues(content)).toEqual([]);
  });

  it('has the five providers, with keys named by environment variable only', () => {
    expect(content.providers.map((provider) => [provider.id, provider.kind, provider.apiKeyEnv])).toEqual([
      ['sim', 'sim', undefined],
      ['openai', 'openai-compatible', 'OPENAI_API_KEY'],
      ['anthropic', 'anthropic', 'ANTHROPIC_API_KEY'],
      ['openrouter', 'openai-compatible', 'OPENROUTER_API_KEY'],
      ['ollama', 'openai-compatible', undefined],
    ]);
    expect(content.providers.find((provider) => provider.id === 'ollama')?.baseUrl).toBe(
      'http://127.0.0.1:11434/v1',
    );
  });

  it('returns a fresh copy each time, so one caller cannot change another’s defaults', () => {
    const first = defaultRegistryContent();
    first.models[0]!.enabled = false;
    expect(defaultRegistryContent().models[0]!.enabled).toBe(true);
  });

  it('gives the simulated models distinct profiles that make selection trade off', () => {
    const byId = new Map(simulated.map((model) => [model.id, model]));
    const fast = byId.get('sim/fast-small')!;
    const creative = byId.get('sim/creative-large')!;
    const safe = byId.get('sim/safety-tuned')!;
    const local = byId.get('sim/local')!;
    expect([...byId.keys()].sort()).toEqual([
      'sim/creative-large',
      'sim/fast-small',
      'sim/local',
      'sim/safety-tuned',
    ]);

    expect(fast.latencyPriors.timeToFirstTokenP50Ms).toBeLessThan(
      creative.latencyPriors.timeToFirstTokenP50Ms,
    );
    expect(fast.latencyPriors.outputTokensPerSecond).toBeGreaterThan(
      creative.latencyPriors.outputTokensPerSecond,
    );
    expect(fast.price!.outputPerMillionMicros).toBeLessThan(creative.price!.outputPerMillionMicros);
    expect(creative.qualityPriors.byTask.narrative_generation).toBeGreaterThan(
      fast.qualityPriors.byTask.narrative_generation!,
    );
    expect(fast.qualityPriors.byTask.safety_screening).toBeGreaterThan(
      fast.qualityPriors.byTask.narrative_generation!,
    );

    const bestAt = (task: TaskType) =>
      [...simulated].sort(
        (a, b) => (b.qualityPriors.byTask[task] ?? 0) - (a.qualityPriors.byTask[task] ?? 0),
      )[0]!.id;
    expect(bestAt('narrative_generation')).toBe('sim/creative-large');
    expect(bestAt('world_building')).toBe('sim/creative-large');
    expect(bestAt('therapeutic_response')).toBe('sim/safety-tuned');

    expect([fast.safetyTier, creative.safetyTier, safe.safetyTier, local.safetyTier]).toEqual([1, 2, 3, 2]);
    expect(safe.privacy.zeroRetention).toBe(true);
    expect(local.privacy.local).toBe(true);
    expect(local.capabilities.systemRole).toBe(false);
    expect(simulated.every((model) => model.capabilities.streaming)).toBe(true);
  });

  it('prices the simulated models so demo costs show, except the free local one', () => {
    for (const model of simulated) {
      expect(model.price, model.id).not.toBeNull();
      const total = model.price!.inputPerMillionMicros + model.price!.outputPerMillionMicros;
      if (model.privacy.local) expect(total, model.id).toBe(0);
      else expect(total, model.id).toBeGreaterThan(0);
    }
  });

  it('has a policy for every task type, and a default', () => {
    expect(content.policies.some((policy) => policy.name === 'default')).toBe(true);
    for (const task of taskTypes) {
      const governing = content.policies.filter((policy) => policy.appliesTo.taskTypes.includes(task));
      expect(
        governing.map((policy) => policy.name),
        task,
      ).toEqual([task]);
    }
  });

  it('tightens every policy with risk and keeps exploration small', () => {
    for (const policy of content.policies) {
      const { riskRules } = policy;
      expect(riskRules.elevated.minSafetyTier, policy.name).toBeGreaterThanOrEqual(2);
      expect(riskRules.elevated.maxTemperature, policy.name).toBeLessThanOrEqual(0.7);
      expect(riskRules.crisis.minSafetyTier, policy.name).toBe(3);
      expect(riskRules.crisis.maxTemperature, policy.name).toBeLessThanOrEqual(0.3);
      for (const [lower, higher] of [
        ['none', 'low'],
        ['low', 'elevated'],
        ['elevated', 'crisis'],
      ] as const) {
        expect(riskRules[higher].minSafetyTier, policy.name).toBeGreaterThanOrEqual(
          riskRules[lower].minSafetyTier,
        );
        expect(riskRules[higher].maxTemperature, policy.name).toBeLessThanOrEqual(
          riskRules[lower].maxTemperature,
        );
      }
      expect(policy.explorationRate, policy.name).toBeLessThanOrEqual(0.1);
    }
  });

  it('fits each policy to its task', () => {
    const narrative = policyFor('narrative_generation');
    const screening = policyFor('safety_screening');
    const therapy = policyFor('therapeutic_response');
    const choices = policyFor('choice_generation');
    const summary = policyFor('summarization');
    expect(narrative.weights.quality).toBeGreaterThan(narrative.weights.latency + narrative.weights.cost);
    expect(narrative.temperatureRange.max).toBeGreaterThan(1);
    expect(screening.weights.latency).toBeGreaterThan(screening.weights.quality + screening.weights.cost);
    expect(screening.temperatureRange.max).toBeLessThanOrEqual(0.2);
    expect(screening.riskRules.none.minSafetyTier).toBeGreaterThanOrEqual(2);
    expect(therapy.temperatureRange.max).toBeLessThan(narrative.temperatureRange.min);
    expect(therapy.weights.quality).toBeGreaterThan(therapy.weights.cost);
    // Player options count quality as much as speed and cost, never more: the player waits on them.
    expect(choices.weights.quality).toBeLessThanOrEqual(choices.weights.latency);
    expect(choices.weights.quality).toBeLessThanOrEqual(choices.weights.cost);
    expect(summary.weights.cost).toBeGreaterThan(summary.weights.quality);
    expect(summary.temperatureRange.max).toBeLessThanOrEqual(0.5);
  });

  it.each(everyTaskAndRisk)('lets at least one simulated model answer %s at risk %s', (task, risk) => {
    const policy = policyFor(task);
    expect(qualifying(simulated, policy, risk).length).toBeGreaterThan(0);
    // A player who disclosed something sensitive can be answered too: locally or with zero retention.
    const private_ = simulated.filter((model) => model.privacy.local || model.privacy.zeroRetention);
    expect(qualifying(private_, policy, risk).length).toBeGreaterThan(0);
    // The policy's default answer length fits every simulated model that qualifies.
    for (const model of qualifying(simulated, policy, risk)) {
      expect(model.contextWindow).toBeGreaterThan(policy.defaultMaxOutputTokens);
    }
  });

  it.each(taskTypes)('at crisis lets only tier-3 models answer %s', (task) => {
    const models = qualifying(content.models, policyFor(task), 'crisis');
    expect(models.map((model) => model.id)).toContain('sim/safety-tuned');
    expect(models.every((model) => model.safetyTier === 3)).toBe(true);
  });
});

describe('defaultRegistrySnapshot', () => {
  it('is version 1 at a fixed epoch unless given a time, with a stable hash', () => {
    const snapshot = defaultRegistrySnapshot();
    expect(snapshot.version).toBe(1);
    expect(snapshot.createdAt).toBe(defaultRegistryEpoch);
    const later = defaultRegistrySnapshot('2026-07-24T12:00:00.000Z');
    expect(later.createdAt).toBe('2026-07-24T12:00:00.000Z');
    expect(later.hash).toBe(snapshot.hash);
    expect(snapshot.models).toEqual(content.models);
  });
});
