import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { release, remaining, reserve, settle, type Budget } from './budget.ts';

function budget(overrides: Partial<Budget> = {}): Budget {
  return { enforcement: 'hard', limitMicros: 10_000, spentMicros: 0, reservedMicros: 0, ...overrides };
}

function admitted(result: ReturnType<typeof reserve>): Budget {
  if (!result.ok) throw new Error(`expected the reservation to be admitted, got ${JSON.stringify(result)}`);
  return result.budget;
}

describe('reserve', () => {
  it('holds the amount against a budget that can afford it', () => {
    expect(reserve(budget({ spentMicros: 2_000 }), 3_000)).toEqual({
      ok: true,
      budget: budget({ spentMicros: 2_000, reservedMicros: 3_000 }),
      overLimit: false,
    });
  });

  it('admits a reservation that uses the budget up exactly', () => {
    expect(reserve(budget({ spentMicros: 4_000, reservedMicros: 1_000 }), 5_000).ok).toBe(true);
  });

  it('refuses on a hard budget when spent + reserved + amount would exceed the limit, and says what is left', () => {
    expect(reserve(budget({ spentMicros: 4_000, reservedMicros: 1_000 }), 5_001)).toEqual({
      ok: false,
      reason: 'over-limit',
      requestedMicros: 5_001,
      availableMicros: 5_000,
    });
  });

  it('always admits on a soft budget but reports that it is over the limit', () => {
    const result = reserve(budget({ enforcement: 'soft', spentMicros: 9_000 }), 5_000);
    expect(result).toEqual({
      ok: true,
      budget: budget({ enforcement: 'soft', spentMicros: 9_000, reservedMicros: 5_000 }),
      overLimit: true,
    });
  });

  it('rejects amounts that are not integer micro-dollars, with a hint how to convert', () => {
    expect(() => reserve(budget(), 0.5)).toThrow(/non-negative integer number of micro-dollars/);
    expect(() => reserve(budget(), -1)).toThrow(RangeError);
    expect(() => reserve(budget({ spentMicros: Number.NaN }), 1)).toThrow(/spentMicros/);
  });
});

describe('settle', () => {
  const running = budget({ spentMicros: 1_000, reservedMicros: 4_000 });

  it('swaps the reservation for the actual cost', () => {
    expect(settle(running, 4_000, 2_500)).toEqual({
      budget: budget({ spentMicros: 3_500, reservedMicros: 0 }),
      chargedMicros: 2_500,
      actualUnknown: false,
      overrunMicros: 0,
      overLimit: false,
    });
  });

  it('charges an actual cost above the reservation and reports the overrun', () => {
    const result = settle(budget({ spentMicros: 6_000, reservedMicros: 4_000 }), 4_000, 4_500);
    expect(result.budget).toEqual(budget({ spentMicros: 10_500, reservedMicros: 0 }));
    expect(result.overrunMicros).toBe(500);
    expect(result.overLimit).toBe(true);
    expect(remaining(result.budget)).toBe(0);
  });

  it('charges the reservation when the actual cost is unknown, and flags it', () => {
    const result = settle(running, 4_000, undefined);
    expect(result.budget).toEqual(budget({ spentMicros: 5_000, reservedMicros: 0 }));
    expect(result.chargedMicros).toBe(4_000);
    expect(result.actualUnknown).toBe(true);
  });

  it('refuses to settle more than is reserved, which would free other calls’ money', () => {
    expect(() => settle(running, 4_001, 10)).toThrow(/only 4000 are reserved/);
  });
});

describe('release', () => {
  it('drops a reservation without charging anything', () => {
    expect(release(budget({ spentMicros: 1_000, reservedMicros: 4_000 }), 3_000)).toEqual(
      budget({ spentMicros: 1_000, reservedMicros: 1_000 }),
    );
  });

  it('refuses to release a reservation twice', () => {
    const once = release(budget({ reservedMicros: 4_000 }), 4_000);
    expect(() => release(once, 4_000)).toThrow(/Settle or release each reservation exactly once/);
  });
});

describe('remaining', () => {
  it('is the limit less what is spent and reserved', () => {
    expect(remaining(budget({ spentMicros: 2_500, reservedMicros: 1_500 }))).toBe(6_000);
  });

  it('is zero, not negative, for an overrun budget', () => {
    expect(remaining(budget({ spentMicros: 12_000 }))).toBe(0);
  });
});

type Operation =
  | { type: 'reserve'; amountMicros: number }
  | { type: 'settle'; pick: number; actualMicros: number | undefined }
  | { type: 'release'; pick: number };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ type: fc.constant('reserve' as const), amountMicros: fc.nat({ max: 5_000 }) }),
  fc.record({
    type: fc.constant('settle' as const),
    pick: fc.nat(),
    actualMicros: fc.option(fc.nat({ max: 8_000 }), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('release' as const), pick: fc.nat() }),
);

describe('budget properties', () => {
  it('never lets a hard budget commit past its limit by more than the overruns settled since it was last within it', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 20_000 }),
        fc.array(operationArbitrary, { maxLength: 60 }),
        (limitMicros, operations) => {
          let current = budget({ limitMicros });
          const open: number[] = [];
          let overrunSinceWithinLimit = 0;
          for (const operation of operations) {
            if (operation.type === 'reserve') {
              const result = reserve(current, operation.amountMicros);
              if (result.ok) {
                current = result.budget;
                open.push(operation.amountMicros);
              }
            } else if (open.length > 0) {
              const [reservation] = open.splice(operation.pick % open.length, 1);
              if (reservation === undefined) throw new Error('unreachable: picked from a non-empty list');
              if (operation.type === 'release') {
                current = release(current, reservation);
              } else {
                const result = settle(current, reservation, operation.actualMicros);
                current = result.budget;
                overrunSinceWithinLimit += result.overrunMicros;
              }
            }
            const excess = current.spentMicros + current.reservedMicros - current.limitMicros;
            if (excess <= 0) overrunSinceWithinLimit = 0;
            expect(excess).toBeLessThanOrEqual(overrunSinceWithinLimit);
            expect(current.reservedMicros).toBe(open.reduce((sum, amount) => sum + amount, 0));
          }
        },
      ),
    );
  });

  it("with one call at a time, never lets a hard budget commit past its limit by more than the last settle's overrun", () => {
    const callArbitrary = fc.record({
      amountMicros: fc.nat({ max: 5_000 }),
      actualMicros: fc.option(fc.nat({ max: 8_000 }), { nil: undefined }),
      billed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.nat({ max: 20_000 }),
        fc.array(callArbitrary, { maxLength: 40 }),
        (limitMicros, calls) => {
          let current = budget({ limitMicros });
          let lastOverrun = 0;
          for (const call of calls) {
            const result = reserve(current, call.amountMicros);
            if (result.ok && call.billed) {
              const settled = settle(result.budget, call.amountMicros, call.actualMicros);
              current = settled.budget;
              lastOverrun = settled.overrunMicros;
            } else if (result.ok) {
              current = release(result.budget, call.amountMicros);
            }
            expect(current.spentMicros + current.reservedMicros - limitMicros).toBeLessThanOrEqual(
              lastOverrun,
            );
          }
        },
      ),
    );
  });

  const budgetArbitrary: fc.Arbitrary<Budget> = fc.record({
    enforcement: fc.constantFrom('hard' as const, 'soft' as const),
    limitMicros: fc.nat({ max: 1_000_000 }),
    spentMicros: fc.nat({ max: 1_000_000 }),
    reservedMicros: fc.nat({ max: 1_000_000 }),
  });

  it('undoes a reservation exactly with release, and with a settle that charges the reservation', () => {
    fc.assert(
      fc.property(budgetArbitrary, fc.nat({ max: 1_000_000 }), (start, amountMicros) => {
        const result = reserve(start, amountMicros);
        fc.pre(result.ok);
        const reserved = admitted(result);
        expect(release(reserved, amountMicros)).toEqual(start);
        const settled = settle(reserved, amountMicros, amountMicros).budget;
        expect(settled.reservedMicros).toBe(start.reservedMicros);
        expect(settled.spentMicros).toBe(start.spentMicros + amountMicros);
      }),
    );
  });

  it('admits on a hard budget exactly when the amount fits in what remains', () => {
    fc.assert(
      fc.property(budgetArbitrary, fc.nat({ max: 1_000_000 }), (start, amountMicros) => {
        const hard = { ...start, enforcement: 'hard' as const };
        const fits = hard.spentMicros + hard.reservedMicros + amountMicros <= hard.limitMicros;
        expect(reserve(hard, amountMicros).ok).toBe(fits);
        expect(reserve({ ...start, enforcement: 'soft' }, amountMicros).ok).toBe(true);
      }),
    );
  });
});
