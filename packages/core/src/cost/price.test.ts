import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelPrice } from '../registry/model-spec.ts';
import { emptyUsage, type Usage } from '../spec/chat-model-adapter.ts';
import { price, worstCaseCostMicros } from './price.ts';

/** gpt-4o's list price: $2.50 / M input, $1.25 / M cached input, $10 / M output. */
const gpt4o: ModelPrice = {
  inputPerMillionMicros: 2_500_000,
  cacheReadPerMillionMicros: 1_250_000,
  outputPerMillionMicros: 10_000_000,
  version: 'openai-2024-11',
};

/** Claude 3.5 Sonnet's: $3 / M input, $3.75 / M cache write, $0.30 / M cache read, $15 / M output. */
const claudeSonnet: ModelPrice = {
  inputPerMillionMicros: 3_000_000,
  cacheWritePerMillionMicros: 3_750_000,
  cacheReadPerMillionMicros: 300_000,
  outputPerMillionMicros: 15_000_000,
  version: 'anthropic-2024-10',
};

/** A price list that bills reasoning tokens apart from visible output. */
const reasoner: ModelPrice = {
  inputPerMillionMicros: 1_000_000,
  outputPerMillionMicros: 4_000_000,
  reasoningPerMillionMicros: 8_000_000,
  version: 'reasoner-1',
};

function usage(counts: {
  input?: number;
  cacheRead?: number;
  cacheWrite?: number;
  output?: number;
  reasoning?: number;
}): Usage {
  return {
    inputTokens: { total: counts.input, cacheRead: counts.cacheRead, cacheWrite: counts.cacheWrite },
    outputTokens: { total: counts.output, reasoning: counts.reasoning },
  };
}

function knownMicros(usageValue: Usage, modelPrice: ModelPrice): number {
  const cost = price(usageValue, modelPrice);
  if (cost.status !== 'known') throw new Error(`expected a known cost, got ${JSON.stringify(cost)}`);
  return cost.micros;
}

describe('price', () => {
  it('bills plain input and output in integer micro-dollars', () => {
    // 1,000 x $2.50/M + 500 x $10/M = $0.0025 + $0.005
    expect(price(usage({ input: 1_000, output: 500 }), gpt4o)).toEqual({
      status: 'known',
      micros: 7_500,
      priceVersion: 'openai-2024-11',
    });
  });

  it('bills cache reads at the cache-read rate: 1,000 cached tokens cost half of 1,000 plain ones on gpt-4o', () => {
    const plain = knownMicros(usage({ input: 1_000, output: 0 }), gpt4o);
    const cached = knownMicros(usage({ input: 1_000, cacheRead: 1_000, output: 0 }), gpt4o);
    expect(plain).toBe(2_500);
    expect(cached).toBe(1_250);
  });

  it('splits a prompt between plain, cache-read and cache-write tokens', () => {
    // 1,000 plain x $3 + 2,000 written x $3.75 + 7,000 read x $0.30 (per million) = 3,000 + 7,500 + 2,100
    expect(
      knownMicros(usage({ input: 10_000, cacheRead: 7_000, cacheWrite: 2_000, output: 0 }), claudeSonnet),
    ).toBe(12_600);
  });

  it('bills cache writes as ordinary input when the price list has no cache-write rate', () => {
    expect(knownMicros(usage({ input: 1_000, cacheWrite: 1_000, output: 0 }), gpt4o)).toBe(2_500);
  });

  it('bills reasoning tokens, which are inside the output total, at the reasoning rate', () => {
    // 300 visible x $4/M + 700 reasoning x $8/M = 1,200 + 5,600
    expect(knownMicros(usage({ input: 0, output: 1_000, reasoning: 700 }), reasoner)).toBe(6_800);
  });

  it('bills reasoning tokens at the output rate when the price list has no reasoning rate', () => {
    const withReasoning = knownMicros(usage({ input: 0, output: 1_000, reasoning: 700 }), gpt4o);
    const withoutReasoning = knownMicros(usage({ input: 0, output: 1_000 }), gpt4o);
    expect(withReasoning).toBe(10_000);
    expect(withReasoning).toBe(withoutReasoning);
  });

  it('reports a model without a price as unknown, never as free', () => {
    expect(price(usage({ input: 1_000, output: 500 }), null)).toEqual({
      status: 'unknown',
      reason: 'no-price',
      priceVersion: undefined,
    });
  });

  it('reports a usage without counts as unknown, stamped with the price version', () => {
    expect(price(emptyUsage(), gpt4o)).toEqual({
      status: 'unknown',
      reason: 'no-usage',
      priceVersion: 'openai-2024-11',
    });
  });

  it('reports a usage with one total missing as unknown rather than pricing the missing side at zero', () => {
    expect(price(usage({ output: 500 }), gpt4o)).toMatchObject({ status: 'unknown', reason: 'no-usage' });
    expect(price(usage({ input: 1_000 }), gpt4o)).toMatchObject({ status: 'unknown', reason: 'no-usage' });
    expect(price(usage({ input: Number.NaN, output: 5 }), gpt4o)).toMatchObject({ status: 'unknown' });
  });

  it('prices a call that really used zero tokens at zero', () => {
    expect(price(usage({ input: 0, output: 0 }), gpt4o)).toEqual({
      status: 'known',
      micros: 0,
      priceVersion: 'openai-2024-11',
    });
  });

  it('rounds up once, at the end, so a tiny call is never free and parts are not rounded twice', () => {
    // One input token at $2.50/M is 2.5 micro-dollars: billed as 3.
    expect(knownMicros(usage({ input: 1, output: 0 }), gpt4o)).toBe(3);
    // Half a micro-dollar of input plus half of output is one micro-dollar, not two.
    const halves: ModelPrice = {
      inputPerMillionMicros: 500_000,
      outputPerMillionMicros: 500_000,
      version: 'v',
    };
    expect(knownMicros(usage({ input: 1, output: 1 }), halves)).toBe(1);
  });

  it('stamps the price version the cost was computed from', () => {
    const cost = price(usage({ input: 10, output: 10 }), { ...gpt4o, version: 'catalog-2025-06-01' });
    expect(cost.priceVersion).toBe('catalog-2025-06-01');
  });

  const priceArbitrary: fc.Arbitrary<ModelPrice> = fc.record(
    {
      inputPerMillionMicros: fc.integer({ min: 0, max: 100_000_000 }),
      outputPerMillionMicros: fc.integer({ min: 0, max: 200_000_000 }),
      cacheReadPerMillionMicros: fc.integer({ min: 0, max: 100_000_000 }),
      cacheWritePerMillionMicros: fc.integer({ min: 0, max: 100_000_000 }),
      reasoningPerMillionMicros: fc.integer({ min: 0, max: 200_000_000 }),
      version: fc.constant('property'),
    },
    { requiredKeys: ['inputPerMillionMicros', 'outputPerMillionMicros', 'version'] },
  );

  /** Token counts as independent parts; the totals are built from them as the `Usage` contract says. */
  interface Parts {
    plainInput: number;
    cacheRead: number;
    cacheWrite: number;
    plainOutput: number;
    reasoning: number;
  }
  const partsArbitrary: fc.Arbitrary<Parts> = fc.record({
    plainInput: fc.nat({ max: 2_000_000 }),
    cacheRead: fc.nat({ max: 2_000_000 }),
    cacheWrite: fc.nat({ max: 2_000_000 }),
    plainOutput: fc.nat({ max: 200_000 }),
    reasoning: fc.nat({ max: 200_000 }),
  });

  function usageOf(parts: Parts): Usage {
    return usage({
      input: parts.plainInput + parts.cacheRead + parts.cacheWrite,
      cacheRead: parts.cacheRead,
      cacheWrite: parts.cacheWrite,
      output: parts.plainOutput + parts.reasoning,
      reasoning: parts.reasoning,
    });
  }

  it('is an integer, never negative, and never decreases when any token count grows', () => {
    const partNames = ['plainInput', 'cacheRead', 'cacheWrite', 'plainOutput', 'reasoning'] as const;
    fc.assert(
      fc.property(
        priceArbitrary,
        partsArbitrary,
        fc.constantFrom(...partNames),
        fc.integer({ min: 1, max: 100_000 }),
        (modelPrice, parts, grown, extra) => {
          const before = knownMicros(usageOf(parts), modelPrice);
          const after = knownMicros(usageOf({ ...parts, [grown]: parts[grown] + extra }), modelPrice);
          expect(Number.isSafeInteger(before)).toBe(true);
          expect(before).toBeGreaterThanOrEqual(0);
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });

  it('never exceeds the worst case reserved for the same prompt and output', () => {
    fc.assert(
      fc.property(priceArbitrary, partsArbitrary, (modelPrice, parts) => {
        // Cache reads are assumed to never cost more than plain input, as on every real price list.
        fc.pre((modelPrice.cacheReadPerMillionMicros ?? 0) <= modelPrice.inputPerMillionMicros);
        const actual = usageOf(parts);
        const worstCase = worstCaseCostMicros(
          modelPrice,
          actual.inputTokens.total ?? 0,
          actual.outputTokens.total ?? 0,
        );
        expect(knownMicros(actual, modelPrice)).toBeLessThanOrEqual(worstCase ?? Number.NaN);
      }),
    );
  });
});

describe('worstCaseCostMicros', () => {
  it('reserves every prompt token at the dearest input rate and the whole output allowance', () => {
    // 1,000 x $3.75/M (cache write is dearer than input) + 4,096 x $15/M = 3,750 + 61,440
    expect(worstCaseCostMicros(claudeSonnet, 1_000, 4_096)).toBe(65_190);
  });

  it('uses the reasoning rate when it is dearer than output', () => {
    expect(worstCaseCostMicros(reasoner, 0, 1_000)).toBe(8_000);
  });

  it('has no worst case for a model without a price', () => {
    expect(worstCaseCostMicros(null, 1_000, 1_000)).toBeUndefined();
  });
});
