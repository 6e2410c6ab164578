import type { ProviderErrorKind } from '../spec/provider-error.ts';

/**
 * Whether each failure kind speaks about the model's health. A `Record` over the closed set, so a
 * new kind does not compile until someone decides.
 *
 * `false`: the failure is about the request or the account (a bad key, a refused prompt, a prompt
 * too long, a malformed request, a caller that gave up, a prefill the model does not support).
 * Another request on the same model would fare no differently, so it must not take the model out
 * of service for everyone.
 */
const countsAgainstHealth: Readonly<Record<ProviderErrorKind, boolean>> = {
  rate_limited: true,
  overloaded: true,
  server: true,
  timeout: true,
  network: true,
  stream_cut: true,
  stream_stall: true,
  malformed_response: true,
  context_length: false,
  content_filter: false,
  auth: false,
  bad_request: false,
  aborted: false,
  prefill_unsupported: false,
};

/**
 * True when a failure of this kind says the model itself is unhealthy (rate limited, overloaded,
 * erroring, unreachable, slow, cutting streams, answering garbage) and so counts towards opening
 * its circuit.
 */
export function isHealthFailureKind(kind: ProviderErrorKind): boolean {
  return countsAgainstHealth[kind];
}
