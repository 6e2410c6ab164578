import { emptyUsage, price, type ModelPrice, type Usage } from '@switchboard/core';
import type { AttemptRecord, ExecutionCost } from './execution-result.ts';
import { sumUsage } from './usage-total.ts';

/**
 * Decides whether an ended attempt is charged, and prices it (see `AttemptRecord.billed` for the
 * rule). A charged attempt without reported usage is priced `unknown`, never free.
 */
export function billAttempt(record: AttemptRecord, modelPrice: ModelPrice | null): void {
  const outcome = record.outcome;
  record.billed = outcome === 'ok' || outcome === 'hedge-lost' || record.usage !== undefined;
  record.cost = record.billed ? price(record.usage ?? emptyUsage(), modelPrice) : undefined;
}

/** Usage and cost of an execution: the sums over its billed attempts. */
export function billedTotals(attempts: readonly AttemptRecord[]): { usage: Usage; cost: ExecutionCost } {
  const usages: Usage[] = [];
  const cost: ExecutionCost = { micros: 0, complete: true };
  for (const attempt of attempts) {
    if (!attempt.billed) continue;
    if (attempt.usage !== undefined) usages.push(attempt.usage);
    if (attempt.cost?.status === 'known') cost.micros += attempt.cost.micros;
    else cost.complete = false;
  }
  return { usage: usages.length === 0 ? emptyUsage() : sumUsage(usages), cost };
}
