import type { TaskType } from '../context/therapeutic-context.ts';
import type { ModelPrice, ModelSpec } from '../registry/model-spec.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';
import { routingPolicySchema, type RoutingPolicy } from '../registry/routing-policy.ts';
import { SwitchboardValidationError } from '../validation.ts';
import { ContenderTablePool } from './contender-table.ts';
import { formatCount } from './selection-format.ts';

/** A model's facts that do not change between requests, read once per snapshot. */
export interface PreparedModel {
  /** Registry id. */
  readonly id: string;
  /** Set when the registry alone rules the model out (disabled model or disabled provider). */
  readonly unavailable:
    { readonly code: 'disabled' | 'provider-disabled'; readonly reason: string } | undefined;
  /** Capability flags, copied out of the spec so the hot loop reads one object. */
  readonly supportsTools: boolean;
  /** See {@link PreparedModel.supportsTools}. */
  readonly supportsJsonMode: boolean;
  /** See {@link PreparedModel.supportsTools}. */
  readonly supportsStreaming: boolean;
  /** Runs locally or keeps nothing: allowed for sensitive contexts. */
  readonly privacySafe: boolean;
  /** From the spec: compared with the risk level's minimum. */
  readonly safetyTier: number;
  /** From the spec: must hold the prompt plus the output allowance. */
  readonly contextWindow: number;
  /** From the spec: the output allowance is clamped to it. */
  readonly maxOutputTokens: number;
  /** `8,192`, formatted once for context-window rejections. */
  readonly contextWindowText: string;
  /** From the spec: `null` when unknown, which no cost ceiling or budget can admit. */
  readonly price: ModelPrice | null;
  /** A 32-bit hash of the id: the key of the model's own random stream. */
  readonly randomKey: number;
}

/**
 * What a policy's allow and deny lists mean for each model, by model position: `undefined` when the
 * policy lets the model through, else the rejection reason.
 */
export type PolicyGate = readonly (string | undefined)[];

/** Everything selection precomputes from one snapshot, so a request only does request work. */
export interface PreparedRegistry {
  /** The snapshot's models, in registry order (which breaks score ties). */
  readonly models: readonly PreparedModel[];
  /** Position of each model id in {@link PreparedRegistry.models}. */
  readonly indexById: ReadonlyMap<string, number>;
  /** Policies by name; the first wins when a name repeats. */
  readonly policiesByName: ReadonlyMap<string, RoutingPolicy>;
  /** The first policy listing each task type in `appliesTo.taskTypes`. */
  readonly policyByTask: ReadonlyMap<TaskType, RoutingPolicy>;
  /** The policy named `default`, else the built-in default. */
  readonly fallbackPolicy: RoutingPolicy;
  /** {@link policyGateOf}'s cache. */
  readonly policyGates: Map<RoutingPolicy, PolicyGate>;
  /** Scratch tables sized for this registry, reused from one request to the next. */
  readonly contenderTables: ContenderTablePool;
}

let builtInDefaultPolicy: RoutingPolicy | undefined;

/** The policy used when a registry defines none that applies: every field at its schema default. */
function builtInDefault(): RoutingPolicy {
  builtInDefaultPolicy ??= routingPolicySchema.parse({ name: 'default' });
  return builtInDefaultPolicy;
}

/** FNV-1a over the id's UTF-16 code units: stable across hosts and snapshot versions. */
function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let position = 0; position < id.length; position++) {
    hash = Math.imul(hash ^ id.charCodeAt(position), 0x01000193);
  }
  return hash >>> 0;
}

function prepareModel(model: ModelSpec, disabledProviders: ReadonlySet<string>): PreparedModel {
  let unavailable: PreparedModel['unavailable'];
  if (!model.enabled) unavailable = { code: 'disabled', reason: 'disabled in the registry' };
  else if (disabledProviders.has(model.provider)) {
    unavailable = { code: 'provider-disabled', reason: `its provider "${model.provider}" is disabled` };
  }
  return {
    id: model.id,
    unavailable,
    supportsTools: model.capabilities.tools,
    supportsJsonMode: model.capabilities.jsonMode,
    supportsStreaming: model.capabilities.streaming,
    privacySafe: model.privacy.local || model.privacy.zeroRetention,
    safetyTier: model.safetyTier,
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens,
    contextWindowText: formatCount(model.contextWindow),
    price: model.price,
    randomKey: hashId(model.id),
  };
}

function buildPreparedRegistry(snapshot: RegistrySnapshot): PreparedRegistry {
  const disabledProviders = new Set(
    snapshot.providers.filter((provider) => !provider.enabled).map((provider) => provider.id),
  );
  const models = snapshot.models.map((model) => prepareModel(model, disabledProviders));
  const indexById = new Map<string, number>();
  models.forEach((model, index) => {
    if (!indexById.has(model.id)) indexById.set(model.id, index);
  });
  const policiesByName = new Map<string, RoutingPolicy>();
  const policyByTask = new Map<TaskType, RoutingPolicy>();
  for (const policy of snapshot.policies) {
    if (!policiesByName.has(policy.name)) policiesByName.set(policy.name, policy);
    for (const taskType of policy.appliesTo.taskTypes) {
      if (!policyByTask.has(taskType)) policyByTask.set(taskType, policy);
    }
  }
  const fallbackPolicy = policiesByName.get('default') ?? builtInDefault();
  return {
    models,
    indexById,
    policiesByName,
    policyByTask,
    fallbackPolicy,
    policyGates: new Map(),
    contenderTables: new ContenderTablePool(models.length),
  };
}

const preparedBySnapshot = new WeakMap<RegistrySnapshot, PreparedRegistry>();

/**
 * The precomputed view of a snapshot, built on first use and kept as long as the snapshot object
 * lives. Snapshots are immutable by contract (a change makes a new version), so the cache never
 * needs invalidating; a snapshot object edited in place after its first selection would be read stale.
 */
export function prepareRegistry(snapshot: RegistrySnapshot): PreparedRegistry {
  let prepared = preparedBySnapshot.get(snapshot);
  if (prepared === undefined) {
    prepared = buildPreparedRegistry(snapshot);
    preparedBySnapshot.set(snapshot, prepared);
  }
  return prepared;
}

/** The allow/deny verdict of `policy` for every model of the registry, computed once per policy. */
export function policyGateOf(registry: PreparedRegistry, policy: RoutingPolicy): PolicyGate {
  let gate = registry.policyGates.get(policy);
  if (gate !== undefined) return gate;
  const allowed = policy.allowModels === undefined ? undefined : new Set(policy.allowModels);
  const denied = new Set(policy.denyModels);
  const deniedReason = `denied by routing policy "${policy.name}"`;
  const notAllowedReason = `not among the models routing policy "${policy.name}" allows`;
  gate = registry.models.map((model) => {
    if (denied.has(model.id)) return deniedReason;
    if (allowed !== undefined && !allowed.has(model.id)) return notAllowedReason;
    return undefined;
  });
  registry.policyGates.set(policy, gate);
  return gate;
}

/** {@link resolvePolicy} against an already prepared registry. */
export function resolvePreparedPolicy(
  registry: PreparedRegistry,
  snapshot: RegistrySnapshot,
  taskType: TaskType,
  policyName?: string,
): RoutingPolicy {
  if (policyName !== undefined) {
    const named = registry.policiesByName.get(policyName);
    if (named !== undefined) return named;
    // A decision made under the built-in default names it "default"; that name must resolve again.
    if (policyName === 'default') return registry.fallbackPolicy;
    const known = [...registry.policiesByName.keys()].map((name) => `"${name}"`);
    const knownText =
      known.length === 0
        ? 'defines no policies (only the built-in default applies)'
        : `has ${known.join(', ')}`;
    const message =
      `Unknown routing policy "${policyName}": registry version ${snapshot.version} ${knownText}. ` +
      'Use one of these names, or leave the policy name unset to pick the policy by task type.';
    throw new SwitchboardValidationError(message, [{ path: ['policyName'], message }]);
  }
  return registry.policyByTask.get(taskType) ?? registry.fallbackPolicy;
}
