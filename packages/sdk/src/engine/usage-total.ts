import { emptyUsage, type Usage } from '@switchboard/core';

function add(total: number | undefined, value: number | undefined): number | undefined {
  if (value === undefined) return total;
  return (total ?? 0) + value;
}

/**
 * Adds up the usage of several attempts. A count stays `undefined` only when no attempt reported
 * it, so an unknown never turns into a zero that would price as free; `raw` is left out, since
 * each provider's raw object keeps its own shape (the attempts keep theirs).
 */
export function sumUsage(usages: readonly Usage[]): Usage {
  if (usages.length === 1) return usages[0] ?? emptyUsage();
  const total = emptyUsage();
  for (const usage of usages) {
    total.inputTokens.total = add(total.inputTokens.total, usage.inputTokens.total);
    total.inputTokens.cacheRead = add(total.inputTokens.cacheRead, usage.inputTokens.cacheRead);
    total.inputTokens.cacheWrite = add(total.inputTokens.cacheWrite, usage.inputTokens.cacheWrite);
    total.outputTokens.total = add(total.outputTokens.total, usage.outputTokens.total);
    total.outputTokens.reasoning = add(total.outputTokens.reasoning, usage.outputTokens.reasoning);
  }
  return total;
}
