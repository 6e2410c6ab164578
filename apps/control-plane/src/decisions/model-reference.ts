import type { RegistrySnapshot } from '@switchboard/core';

/** The virtual model name that means "select with the policy the task implies". */
export const autoModelName = 'switchboard/auto';

/** The prefix of a virtual model name that names a policy: `switchboard/<policy>`. */
export const policyModelPrefix = 'switchboard/';

/** The prefix LiteLLM (and so OpenHands) puts before a model served by an OpenAI-compatible endpoint. */
const litellmOpenAiPrefix = 'openai/';

/** What a request's `model` names. */
export type ModelReference =
  /** `switchboard/auto`: select among every eligible model. */
  | { kind: 'auto'; label: string }
  /** `switchboard/<policy>` or a bare policy name: select under that policy. */
  | { kind: 'policy'; policyName: string; label: string }
  /** A registry model id: pin it (failover may still leave it, unless turned off). */
  | { kind: 'model'; modelId: string; label: string };

/**
 * Resolves a request's `model` against the registry. In order: a registry model id (ids such as
 * `openai/gpt-4o` are matched whole first), `switchboard/auto`, `switchboard/<policy>`, a bare
 * policy name. When nothing matches and the name starts with `openai/`, that prefix is stripped
 * once and the rest resolved again: LiteLLM-based clients (OpenHands) send `openai/<model>` for any
 * OpenAI-compatible endpoint. `label` is the canonical name, the one metrics and logs show.
 * Returns `undefined` for a name that means nothing here.
 */
export function resolveModelReference(name: string, snapshot: RegistrySnapshot): ModelReference | undefined {
  const direct = resolveOnce(name, snapshot);
  if (direct !== undefined || !name.startsWith(litellmOpenAiPrefix)) return direct;
  return resolveOnce(name.slice(litellmOpenAiPrefix.length), snapshot);
}

function resolveOnce(name: string, snapshot: RegistrySnapshot): ModelReference | undefined {
  if (snapshot.models.some((model) => model.id === name))
    return { kind: 'model', modelId: name, label: name };
  if (name === autoModelName) return { kind: 'auto', label: autoModelName };
  const policyName = name.startsWith(policyModelPrefix) ? name.slice(policyModelPrefix.length) : name;
  if (snapshot.policies.some((policy) => policy.name === policyName)) {
    return { kind: 'policy', policyName, label: `${policyModelPrefix}${policyName}` };
  }
  return undefined;
}

/** Every virtual model name the registry offers: `switchboard/auto`, then one per policy. */
export function virtualModelNames(snapshot: RegistrySnapshot): string[] {
  return [autoModelName, ...snapshot.policies.map((policy) => `${policyModelPrefix}${policy.name}`)];
}
