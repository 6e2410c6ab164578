import type { ModelCapabilities } from '@switchboard/core';

/**
 * What this adapter can do for a Claude model, for registry entries to start from.
 *
 * - `jsonMode: false`: the Messages API has no JSON flag. A request with `responseFormat: 'json'`
 *   is refused with `bad_request` rather than answered with text that may not parse; selection
 *   should route JSON requests elsewhere. (Prefilling `{` or `output_config.format` with a JSON
 *   schema would work, but our request carries no schema, so neither is done implicitly.)
 * - `assistantPrefill: true`: a trailing assistant message is sent as a native prefill. Newer
 *   Claude models (4.6 and later) refuse prefills with a 400, which surfaces as
 *   `prefill_unsupported`; set the flag to `false` on those models' registry entries.
 */
export const anthropicAdapterCapabilities = {
  streaming: true,
  tools: true,
  jsonMode: false,
  systemRole: true,
  assistantPrefill: true,
} as const satisfies ModelCapabilities;
