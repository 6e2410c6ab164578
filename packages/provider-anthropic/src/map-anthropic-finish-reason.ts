import type { FinishReason } from '@switchboard/core';

/**
 * Translates Anthropic's `stop_reason` into our finish reason, keeping the original beside it.
 * `refusal` (the streaming safety classifier stepped in) is a content filter; `pause_turn` (a
 * server tool paused a long turn) and anything new are `other`, so the engine never mistakes an
 * unknown reason for a clean stop.
 */
export function mapAnthropicFinishReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return { unified: 'stop', raw: stopReason };
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return { unified: 'length', raw: stopReason };
    case 'tool_use':
      return { unified: 'tool-calls', raw: stopReason };
    case 'refusal':
      return { unified: 'content-filter', raw: stopReason };
    default:
      return { unified: 'other', raw: stopReason };
  }
}
