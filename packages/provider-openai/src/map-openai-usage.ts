import { emptyUsage, type Usage } from '@switchboard/core';
import { readCount, readRecord } from './wire/lenient-json.ts';

/**
 * Maps an OpenAI-compatible `usage` object to ours. Cached prompt tokens
 * (`prompt_tokens_details.cached_tokens`) become `cacheRead`; hidden reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`) stay inside the output total, as OpenAI counts
 * them. OpenAI does not report cache writes (they are free there), so `cacheWrite` is only set
 * when a provider sends `cache_write_tokens`. A count the provider did not send stays `undefined`:
 * the ledger must not price a missing count as free. The provider's object is kept as `raw`.
 */
export function mapOpenAIUsage(raw: unknown): Usage {
  const usage = readRecord(raw);
  if (usage === undefined) return emptyUsage();
  const promptDetails = readRecord(usage.prompt_tokens_details);
  const completionDetails = readRecord(usage.completion_tokens_details);
  return {
    inputTokens: {
      total: readCount(usage.prompt_tokens),
      cacheRead: readCount(promptDetails?.cached_tokens),
      cacheWrite: readCount(promptDetails?.cache_write_tokens),
    },
    outputTokens: {
      total: readCount(usage.completion_tokens),
      reasoning: readCount(completionDetails?.reasoning_tokens),
    },
    raw: usage,
  };
}
