import type { FinishReason } from '@switchboard/core';

/**
 * Maps an OpenAI-compatible `finish_reason` to ours, keeping the provider's string beside it.
 * `function_call` is the legacy name of `tool_calls`; `error` is what OpenRouter reports when the
 * upstream failed mid-answer. Anything else is `other`, never silently `stop`.
 */
export function mapOpenAIFinishReason(raw: string | undefined): FinishReason {
  switch (raw) {
    case 'stop':
      return { unified: 'stop', raw };
    case 'length':
      return { unified: 'length', raw };
    case 'tool_calls':
    case 'function_call':
      return { unified: 'tool-calls', raw };
    case 'content_filter':
      return { unified: 'content-filter', raw };
    case 'error':
      return { unified: 'error', raw };
    default:
      return { unified: 'other', raw };
  }
}
