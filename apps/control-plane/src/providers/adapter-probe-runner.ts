import { isProviderError, type ChatRequest, type RegistrySnapshot } from '@switchboard/core';
import type { ProbeResult, ProbeRunner, ProbeTarget } from '../health/probe-runner.ts';
import type { ProviderAdaptersService } from './provider-adapters.service.ts';

/** The request every probe sends: as small as a model accepts, and no player's words. */
const probeRequest: Omit<ChatRequest, 'abortSignal'> = {
  messages: [{ role: 'user', content: 'Reply with the single word: ready' }],
  maxOutputTokens: 1,
  temperature: 0,
};

/**
 * The health module's {@link ProbeRunner}, built on the same adapters gateway traffic uses: one
 * tiny non-streaming call per probe through the model's adapter, with the scheduler's signal. The
 * adapter's classified `ProviderError` becomes the failure kind; a model that the current snapshot
 * no longer holds, or that has no adapter, fails as `bad_request` (it says nothing about health).
 */
export function createAdapterProbeRunner(
  adapters: Pick<ProviderAdaptersService, 'adapterFor'>,
  currentSnapshot: () => Promise<RegistrySnapshot>,
): ProbeRunner {
  return async (target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> => {
    const adapter = adapters.adapterFor(await currentSnapshot(), target.modelId);
    if (adapter === undefined) return { ok: false, kind: 'bad_request' };
    try {
      await adapter.doGenerate({ ...probeRequest, abortSignal: signal });
      return { ok: true };
    } catch (error) {
      if (!isProviderError(error)) return { ok: false, kind: 'server' };
      return { ok: false, kind: error.kind, retryAfterMs: error.retryAfterMs };
    }
  };
}
