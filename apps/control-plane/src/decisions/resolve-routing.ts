import {
  parseTherapeuticContext,
  SwitchboardValidationError,
  type RegistrySnapshot,
  type TherapeuticContext,
} from '@switchboard/core';
import type { ApiIssue } from '../errors/api-error.ts';
import { autoModelName, resolveModelReference } from './model-reference.ts';
import type { RoutingInput } from './routing-input.ts';

/** Everything selection needs to know about a request's routing, checked against the registry. */
export interface ResolvedRouting {
  /** The context with core's defaults applied. */
  context: TherapeuticContext;
  /** The policy to select under; `undefined`: the task's policy (see core's `resolvePolicy`). */
  policyName: string | undefined;
  /** The registry model the request pinned, if it did. */
  pinnedModelId: string | undefined;
  /** False when the request turned failover off: only the pinned (or top) model is tried. */
  failover: boolean;
  /**
   * The canonical name of what was asked for (`switchboard/auto`, `switchboard/<policy>`, a model
   * id): bounded by the registry, so safe as a metric label.
   */
  label: string;
}

/** Why a request's routing cannot be used. */
export class RoutingError extends Error {
  constructor(
    /** `invalid`: a field is wrong (400); `model-not-found`: the model names nothing usable (404). */
    readonly kind: 'invalid' | 'model-not-found',
    message: string,
    /** The offending fields, for `invalid`. */
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
    this.name = 'RoutingError';
  }
}

/** Where the request carried each routing value, so errors name the field the caller wrote. */
export interface RoutingPaths {
  model: string;
  policy: string;
}

/**
 * Checks a request's model name and routing input against the snapshot: the model must name a
 * registry model (enabled, on an enabled provider), `switchboard/auto` or a policy; a policy given
 * beside the model must exist and must not contradict a policy the model name already implies.
 * `model` undefined means `switchboard/auto`. Throws a {@link RoutingError}.
 */
export function resolveRouting(
  model: string | undefined,
  routing: RoutingInput,
  snapshot: RegistrySnapshot,
  paths: RoutingPaths,
): ResolvedRouting {
  const reference = resolveModelReference(model ?? autoModelName, snapshot);
  if (reference === undefined) {
    throw new RoutingError(
      'model-not-found',
      `The model "${model ?? ''}" does not exist here. Send "${autoModelName}" to let Switchboard choose, ` +
        '"switchboard/<policy>" to choose under a routing policy, or a registry model id to pin one; ' +
        'GET /v1/models lists them all.',
    );
  }
  if (reference.kind === 'model') checkUsable(reference.modelId, snapshot);

  const issues: ApiIssue[] = [];
  const impliedPolicy = reference.kind === 'policy' ? reference.policyName : undefined;
  const policyName = routing.policy ?? impliedPolicy;
  if (routing.policy !== undefined) {
    if (impliedPolicy !== undefined && impliedPolicy !== routing.policy) {
      issues.push({
        path: paths.policy,
        message: `conflicts with ${paths.model} "${reference.label}", which names policy "${impliedPolicy}"; send only one of them`,
      });
    } else if (
      routing.policy !== 'default' &&
      !snapshot.policies.some((policy) => policy.name === routing.policy)
    ) {
      const known = snapshot.policies.map((policy) => policy.name).join(', ');
      issues.push({
        path: paths.policy,
        message: `unknown policy "${routing.policy}"; expected one of ${known === '' ? 'default' : known}`,
      });
    }
  }
  let context: TherapeuticContext | undefined;
  try {
    context = parseTherapeuticContext(routing.context);
  } catch (error) {
    if (!(error instanceof SwitchboardValidationError)) throw error;
    for (const issue of error.issues) issues.push({ path: issue.path.join('.'), message: issue.message });
  }
  if (issues.length > 0 || context === undefined) {
    throw new RoutingError(
      'invalid',
      issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
      issues,
    );
  }
  return {
    context,
    policyName,
    pinnedModelId: reference.kind === 'model' ? reference.modelId : undefined,
    failover: routing.failover !== false,
    label: reference.label,
  };
}

/** A pinned model must be one the registry would ever select: enabled, on an enabled provider. */
function checkUsable(modelId: string, snapshot: RegistrySnapshot): void {
  const model = snapshot.models.find((candidate) => candidate.id === modelId);
  const provider = snapshot.providers.find((candidate) => candidate.id === model?.provider);
  if (model?.enabled === false) {
    throw new RoutingError(
      'model-not-found',
      `The model "${modelId}" is disabled in the registry: an admin can enable it ` +
        `(POST /admin/models/${encodeURIComponent(modelId)}/enable), or send "${autoModelName}".`,
    );
  }
  if (provider?.enabled === false) {
    throw new RoutingError(
      'model-not-found',
      `The model "${modelId}" belongs to provider "${provider.id}", which is disabled in the registry: an admin ` +
        `can enable it (POST /admin/providers/${encodeURIComponent(provider.id)}/enable), or send "${autoModelName}".`,
    );
  }
}
