import type { Usage } from '../spec/chat-model-adapter.ts';
import type { ModelPrice } from '../registry/model-spec.ts';

/**
 * The cost of one call. `unknown` is explicit: a model without a price, or a usage without token
 * counts, must show up in the ledger and analytics as unknown, never as free.
 */
export type Cost =
  | {
      status: 'known';
      /** Integer micro-dollars (1 USD = 1,000,000). */
      micros: number;
      /** The price list it was computed from. */
      priceVersion: string;
    }
  | {
      status: 'unknown';
      reason: 'no-price' | 'no-usage';
      priceVersion: string | undefined;
    };

const tokensPerMillion = 1_000_000;

/**
 * Prices a call in integer micro-dollars. Cache reads and writes are billed at their own rates when
 * the model has them (cache reads are usually a tenth of the input price); reasoning tokens are part
 * of the output count and are billed at the reasoning rate when the price list has one. The sum is
 * rounded up once, at the end, so many small calls never round down to free.
 *
 * Cache reads and writes are counted inside `inputTokens.total`, as the `Usage` contract says; the
 * rest of the total is plain input. When either total is missing (or not a usable count) the cost
 * is `unknown` with reason `no-usage`: pricing the missing side as zero would make it look free.
 */
export function price(usage: Usage, modelPrice: ModelPrice | null): Cost {
  if (modelPrice === null) return { status: 'unknown', reason: 'no-price', priceVersion: undefined };
  const inputTotal = tokenCount(usage.inputTokens.total);
  const outputTotal = tokenCount(usage.outputTokens.total);
  if (inputTotal === undefined || outputTotal === undefined) {
    return { status: 'unknown', reason: 'no-usage', priceVersion: modelPrice.version };
  }
  const cacheRead = tokenCount(usage.inputTokens.cacheRead) ?? 0;
  const cacheWrite = tokenCount(usage.inputTokens.cacheWrite) ?? 0;
  const plainInput = Math.max(0, inputTotal - cacheRead - cacheWrite);
  const reasoning = tokenCount(usage.outputTokens.reasoning) ?? 0;
  const outputRate = modelPrice.outputPerMillionMicros;
  const reasoningRate = modelPrice.reasoningPerMillionMicros ?? outputRate;
  const plainOutput = Math.max(0, outputTotal - reasoning);

  // Sum of tokens x micro-dollars-per-million; stays an exact integer far beyond any real call.
  const scaled =
    plainInput * modelPrice.inputPerMillionMicros +
    cacheRead * (modelPrice.cacheReadPerMillionMicros ?? modelPrice.inputPerMillionMicros) +
    cacheWrite * (modelPrice.cacheWritePerMillionMicros ?? modelPrice.inputPerMillionMicros) +
    plainOutput * outputRate +
    reasoning * reasoningRate;
  return { status: 'known', micros: Math.ceil(scaled / tokensPerMillion), priceVersion: modelPrice.version };
}

/** A provider's count, or `undefined` when it is absent or not a count at all (negative, NaN). */
function tokenCount(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The most a call can cost: every prompt token at the full input rate and the whole output allowance
 * used. Budgets reserve this before a call and settle the actual afterwards. `undefined` when the
 * model has no price.
 */
export function worstCaseCostMicros(
  modelPrice: ModelPrice | null,
  inputTokens: number,
  maxOutputTokens: number,
): number | undefined {
  if (modelPrice === null) return undefined;
  const outputRate = Math.max(modelPrice.outputPerMillionMicros, modelPrice.reasoningPerMillionMicros ?? 0);
  const inputRate = Math.max(modelPrice.inputPerMillionMicros, modelPrice.cacheWritePerMillionMicros ?? 0);
  return Math.ceil((inputTokens * inputRate + maxOutputTokens * outputRate) / tokensPerMillion);
}
