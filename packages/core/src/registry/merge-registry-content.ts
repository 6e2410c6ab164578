import type { RegistryContent } from './registry-snapshot.ts';

/**
 * Lays a studio's registry over another (usually the bundled defaults): an overlay entry replaces
 * the base entry with the same id (policies: the same name) where that entry stood, and new entries
 * follow the base's. Replacement is whole-entry, never field by field, so a model is always exactly
 * what one file says about it, never half old and half new.
 *
 * A default cannot be deleted, only replaced; to retire a default model or provider, repeat it in
 * the overlay with `enabled: false` (it then stays in history but is never selected). The result is
 * not checked for references: pass it to `buildRegistrySnapshot`, which is.
 */
export function mergeRegistryContent(base: RegistryContent, overlay: RegistryContent): RegistryContent {
  return {
    providers: mergeByKey(base.providers, overlay.providers, (provider) => provider.id),
    models: mergeByKey(base.models, overlay.models, (model) => model.id),
    policies: mergeByKey(base.policies, overlay.policies, (policy) => policy.name),
  };
}

function mergeByKey<Entry>(
  base: readonly Entry[],
  overlay: readonly Entry[],
  keyOf: (entry: Entry) => string,
): Entry[] {
  const replacements = new Map(overlay.map((entry) => [keyOf(entry), entry]));
  const baseKeys = new Set(base.map(keyOf));
  return [
    ...base.map((entry) => replacements.get(keyOf(entry)) ?? entry),
    ...overlay.filter((entry) => !baseKeys.has(keyOf(entry))),
  ];
}
