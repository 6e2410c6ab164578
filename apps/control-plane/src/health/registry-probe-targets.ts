import type { RegistryService } from '../registry/registry.service.ts';
import type { ProbeTargetSource } from './probe-runner.ts';

/**
 * The enabled models of the registry's current snapshot, as probe targets. Wire it where
 * `RegistryService` is visible:
 * `{ provide: PROBE_TARGETS, useFactory: registryProbeTargets, inject: [RegistryService] }`.
 */
export function registryProbeTargets(registry: RegistryService): ProbeTargetSource {
  return {
    async listTargets() {
      const snapshot = await registry.currentSnapshot();
      return snapshot.models
        .filter((model) => model.enabled)
        .map((model) => ({ modelId: model.id, provider: model.provider }));
    },
  };
}
