import type { ProviderErrorKind } from '@switchboard/core';

/** A model the scheduler probes. */
export interface ProbeTarget {
  /** Registry model id. */
  modelId: string;
  /** Registry provider id, shown beside the model's health. */
  provider: string;
}

/** Which models exist and are enabled, read at every probe round (the registry can change). */
export interface ProbeTargetSource {
  listTargets(): Promise<readonly ProbeTarget[]>;
}

/** How one probe ended. */
export type ProbeResult =
  | { ok: true }
  | {
      ok: false;
      /** The classified failure; only health kinds (see core's `isHealthFailureKind`) count against the model. */
      kind: ProviderErrorKind;
      /** The provider's Retry-After in milliseconds, when it sent one. */
      retryAfterMs?: number | undefined;
    };

/**
 * Sends a tiny request to one model and says how it went. The gateway supplies the real one (built
 * on the provider adapters); it must stop when `signal` aborts. A thrown `ProviderError` counts as
 * a failure of its kind; anything else thrown as a `server` failure.
 */
export type ProbeRunner = (target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

/**
 * Injection token of the {@link ProbeRunner}. Provide it in any module (the gateway's, or the app
 * module); without one, no active probes run and per-model health comes from passive outcomes only.
 */
export const PROBE_RUNNER = Symbol.for('switchboard.control-plane.probe-runner');

/**
 * Injection token of the {@link ProbeTargetSource}. Provide it in any module (see
 * `registryProbeTargets`); without one, nothing is probed and `/admin/health/models` lists only the
 * models that traffic has reported on.
 */
export const PROBE_TARGETS = Symbol.for('switchboard.control-plane.probe-targets');
