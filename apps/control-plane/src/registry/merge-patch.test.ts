import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch.ts';

describe('mergePatch', () => {
  it('merges nested objects and replaces arrays and null whole', () => {
    const stored = { price: { input: 1, output: 2 }, tags: ['a', 'b'], displayName: 'x' };
    expect(mergePatch(stored, { price: { input: 5 }, tags: ['c'], displayName: null })).toEqual({
      price: { input: 5, output: 2 },
      tags: ['c'],
      displayName: null,
    });
    expect(stored.price.input).toBe(1);
  });

  it('keeps a "__proto__" key as a plain field', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const merged = mergePatch({}, patch);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });
});
