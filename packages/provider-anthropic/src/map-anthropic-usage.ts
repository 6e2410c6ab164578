import type { Usage } from '@switchboard/core';
import { asNumber, asRecord } from './read-json.ts';

/**
 * Translates Anthropic's `usage` object. Anthropic reports `input_tokens` *excluding* cached
 * tokens, so the total input is `input_tokens + cache_read_input_tokens +
 * cache_creation_input_tokens`; cache reads and writes are kept apart because they are billed at
 * their own prices. A count the provider did not send stays `undefined`, never zero.
 */
export function mapAnthropicUsage(rawUsage: unknown): Usage {
  const usage = asRecord(rawUsage);
  const uncachedInput = asNumber(usage?.input_tokens);
  const cacheRead = asNumber(usage?.cache_read_input_tokens);
  const cacheWrite = asNumber(usage?.cache_creation_input_tokens);
  const outputDetails = asRecord(usage?.output_tokens_details);
  return {
    inputTokens: {
      total: uncachedInput === undefined ? undefined : uncachedInput + (cacheRead ?? 0) + (cacheWrite ?? 0),
      cacheRead,
      cacheWrite,
    },
    outputTokens: {
      total: asNumber(usage?.output_tokens),
      reasoning: asNumber(outputDetails?.thinking_tokens),
    },
    raw: rawUsage,
  };
}

/**
 * Folds a later usage report into an earlier one. In a stream, `message_start` carries the input
 * counts and `message_delta` the cumulative output count (and, on newer API versions, final input
 * counts); a field that is absent or `null` in the later report keeps its earlier value.
 */
export function mergeAnthropicUsage(earlier: unknown, later: unknown): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...asRecord(earlier) };
  for (const [key, value] of Object.entries(asRecord(later) ?? {})) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}
