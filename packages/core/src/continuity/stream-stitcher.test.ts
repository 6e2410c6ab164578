import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StitchOptions } from './stitch.ts';
import { stitch } from './stitch.ts';
import { createStreamStitcher } from './stream-stitcher.ts';

function streamed(partial: string, deltas: readonly string[], options: StitchOptions = {}): string[] {
  const stitcher = createStreamStitcher(partial, options);
  return [...deltas.map((delta) => stitcher.push(delta)), stitcher.end()];
}

describe('createStreamStitcher', () => {
  it('holds back a repeated phrase and shows only the new text', () => {
    const shown = streamed('The lake lies still under a pale', ['under', ' a ', 'pale', ' sky', '.']);
    expect(shown.join('')).toBe(' sky.');
    expect(shown.slice(0, 3)).toEqual(['', '', '']);
  });

  it('passes a clean continuation through as soon as it cannot be a repeat', () => {
    const shown = streamed('The lake is', [' calm', ' tonight', '.']);
    expect(shown).toEqual([' calm', ' tonight', '.', '']);
  });

  it('releases what it held when the continuation ends early', () => {
    expect(streamed('I walked to', ['to']).join('')).toBe(stitch('I walked to', 'to').appended);
    expect(streamed('I walked to', []).join('')).toBe('');
  });

  it('waits until the seam whitespace is settled before deciding', () => {
    const partial = 'I walked to\n\n';
    const shown = streamed(partial, ['to\n\n\n', '\nThe shore.']);
    expect(shown.join('')).toBe('The shore.');
    expect(shown.join('')).toBe(stitch(partial, 'to\n\n\n\nThe shore.').appended);
  });

  it('shows exactly what stitch would append, however the continuation is split', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'C', ' ', '\n', '.', ','), maxLength: 24 });
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(fc.nat(24), { maxLength: 6 }),
        fc.integer({ min: 1, max: 10 }),
        (partial, continuation, cuts, minimumOverlap) => {
          const points = [...new Set(cuts.map((cut) => cut % (continuation.length + 1)))].sort(
            (a, b) => a - b,
          );
          const deltas = [0, ...points].map((start, index, all) =>
            continuation.slice(start, all[index + 1] ?? continuation.length),
          );
          expect(streamed(partial, deltas, { minimumOverlap }).join('')).toBe(
            stitch(partial, continuation, { minimumOverlap }).appended,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
