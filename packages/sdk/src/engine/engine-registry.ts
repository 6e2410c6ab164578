import {
  resolvePolicy,
  routingPolicySchema,
  type Decision,
  type ModelSpec,
  type RegistrySnapshot,
  type RoutingPolicy,
} from '@switchboard/core';

/**
 * What the engine needs to know about the registry: each model's spec (price for billing,
 * capabilities for continuation, safety tier for content-filter failover, limits) and the policy
 * whose timeouts and failover rules apply. A snapshot provides both (see {@link engineRegistryOf});
 * a host with its own indexes implements this directly.
 */
export interface EngineRegistry {
  /**
   * The spec of a model, or `undefined` when unknown. An unknown model can still be called, but
   * its cost is unknown, it is assumed to take no prefill, and it never counts as safe enough for
   * a content-filter failover.
   */
  modelOf(modelId: string): ModelSpec | undefined;
  /** The routing policy the decision was made under. */
  policyFor(decision: Decision): RoutingPolicy;
}

/** Every policy field at its schema default: what governs a request when the registry names none. */
export const defaultRoutingPolicy: RoutingPolicy = Object.freeze(
  routingPolicySchema.parse({ name: 'default' }),
);

const registryBySnapshot = new WeakMap<RegistrySnapshot, EngineRegistry>();

/**
 * The {@link EngineRegistry} of a snapshot, built once per snapshot object and cached (snapshots
 * are immutable by contract), so the per-request cost is a map lookup.
 */
export function engineRegistryFromSnapshot(snapshot: RegistrySnapshot): EngineRegistry {
  const cached = registryBySnapshot.get(snapshot);
  if (cached !== undefined) return cached;
  const models = new Map(snapshot.models.map((model) => [model.id, model]));
  const policies = new Map<string, RoutingPolicy>();
  const registry: EngineRegistry = {
    modelOf: (modelId) => models.get(modelId),
    policyFor(decision) {
      const key = `${decision.policyName}\u0000${decision.taskType}`;
      let policy = policies.get(key);
      if (policy === undefined) {
        policy = resolveDecisionPolicy(snapshot, decision);
        policies.set(key, policy);
      }
      return policy;
    },
  };
  registryBySnapshot.set(snapshot, registry);
  return registry;
}

/**
 * The decision names the policy it was made under; a name the snapshot no longer knows (the
 * registry changed between selection and execution) falls back to the task's policy rather than
 * failing a request that already has its candidates.
 */
function resolveDecisionPolicy(snapshot: RegistrySnapshot, decision: Decision): RoutingPolicy {
  const named = snapshot.policies.find((policy) => policy.name === decision.policyName);
  if (named !== undefined) return named;
  try {
    return resolvePolicy(snapshot, decision.taskType);
  } catch {
    return defaultRoutingPolicy;
  }
}

/** Accepts either form the engine's `registry` option takes. */
export function engineRegistryOf(registry: RegistrySnapshot | EngineRegistry): EngineRegistry {
  return isSnapshot(registry) ? engineRegistryFromSnapshot(registry) : registry;
}

function isSnapshot(registry: RegistrySnapshot | EngineRegistry): registry is RegistrySnapshot {
  return Array.isArray((registry as Partial<RegistrySnapshot>).models);
}
