import type { TaskType } from '../context/therapeutic-context.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';
import type { RoutingPolicy } from '../registry/routing-policy.ts';
import { prepareRegistry, resolvePreparedPolicy } from './prepared-registry.ts';

/**
 * The routing policy that governs a request: the one named by `policyName` when given, else the
 * first policy whose `appliesTo.taskTypes` lists the task, else the policy named `default`, else a
 * built-in default with every field at its schema default. The name `default` always resolves (to
 * the registry's `default` policy or the built-in one), so the policy name recorded in any decision
 * can be resolved again. Any other policy name the registry does not know
 * throws a {@link SwitchboardValidationError} naming it and listing the known ones, rather than
 * quietly routing under rules the caller did not ask for.
 */
export function resolvePolicy(
  snapshot: RegistrySnapshot,
  taskType: TaskType,
  policyName?: string,
): RoutingPolicy {
  return resolvePreparedPolicy(prepareRegistry(snapshot), snapshot, taskType, policyName);
}
