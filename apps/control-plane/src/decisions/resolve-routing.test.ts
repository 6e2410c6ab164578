import { buildRegistrySnapshot, defaultRegistryContent, type RegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { resolveRouting, RoutingError } from './resolve-routing.ts';

const content = defaultRegistryContent();
content.models = content.models.map((model) =>
  model.id === 'sim/local' ? { ...model, enabled: false } : model,
);
const snapshot: RegistrySnapshot = buildRegistrySnapshot(content, { version: 3, createdAt: '' });
const paths = { model: 'model', policy: 'switchboard.policy' };
const nothing = { context: {}, policy: undefined, failover: undefined };

function routingError(run: () => unknown): RoutingError {
  try {
    run();
  } catch (error) {
    if (error instanceof RoutingError) return error;
  }
  throw new Error('expected a RoutingError');
}

describe('resolveRouting', () => {
  it('applies core’s defaults, pins a model and keeps failover on unless turned off', () => {
    const resolved = resolveRouting(
      'sim/fast-small',
      { context: { riskLevel: 'low' }, policy: 'default', failover: false },
      snapshot,
      paths,
    );
    expect(resolved).toMatchObject({
      pinnedModelId: 'sim/fast-small',
      policyName: 'default',
      failover: false,
      label: 'sim/fast-small',
    });
    expect(resolved.context).toMatchObject({ riskLevel: 'low', taskType: 'general_chat', creativity: 0.5 });
    expect(resolveRouting(undefined, nothing, snapshot, paths)).toMatchObject({
      failover: true,
      label: 'switchboard/auto',
    });
  });

  it('takes the policy a model name implies', () => {
    expect(resolveRouting('switchboard/world_building', nothing, snapshot, paths).policyName).toBe(
      'world_building',
    );
  });

  it('answers model-not-found for unknown and disabled models, saying what to do', () => {
    expect(routingError(() => resolveRouting('nope', nothing, snapshot, paths))).toMatchObject({
      kind: 'model-not-found',
      message: expect.stringMatching(/GET \/v1\/models/),
    });
    expect(routingError(() => resolveRouting('sim/local', nothing, snapshot, paths)).message).toMatch(
      /disabled.*POST \/admin\/models\/sim%2Flocal\/enable/,
    );
  });

  it('refuses an unknown policy and one that contradicts the model name', () => {
    const unknown = routingError(() =>
      resolveRouting(undefined, { ...nothing, policy: 'fastest' }, snapshot, paths),
    );
    expect(unknown.issues).toEqual([
      {
        path: 'switchboard.policy',
        message: expect.stringMatching(/unknown policy "fastest"; expected one of default/),
      },
    ]);
    const conflict = routingError(() =>
      resolveRouting('switchboard/summarization', { ...nothing, policy: 'world_building' }, snapshot, paths),
    );
    expect(conflict.issues[0]?.message).toMatch(/conflicts with model "switchboard\/summarization"/);
  });
});
