import type { StitchOptions } from './stitch.ts';
import { stitch } from './stitch.ts';

/** Stitches a continuation while it streams, holding back only what might still be repeated text. */
export interface StreamStitcher {
  /** Takes the next text delta of the continuation; returns the text to show now (often `''` at first). */
  push(delta: string): string;
  /** The continuation ended: returns whatever was still held back. Call once. */
  end(): string;
}

/**
 * The streaming form of {@link stitch}, for the engine's mid-stream failover: the player already
 * saw `partial`, and the next model's deltas must follow it with no repeat and no seam. Deltas are
 * held back only while the continuation so far could still turn out to repeat the end of
 * `partial` (at most about `partial.length` characters); from then on every delta passes through
 * at once. What is shown adds up to exactly `stitch(partial, continuation).appended`.
 */
export function createStreamStitcher(partial: string, options: StitchOptions = {}): StreamStitcher {
  let held = '';
  let decided = false;
  return {
    push(delta: string): string {
      if (decided) return delta;
      held += delta;
      if (!isDecided(partial, held, options)) return '';
      decided = true;
      return stitch(partial, held, options).appended;
    },
    end(): string {
      if (decided) return '';
      decided = true;
      return stitch(partial, held, options).appended;
    },
  };
}

/**
 * True once more text cannot change how the seam is stitched: the held text (with or without its
 * leading whitespace) no longer occurs in `partial`, so no longer overlap is possible, and something
 * other than whitespace follows the removed part, so the seam's whitespace is settled.
 */
function isDecided(partial: string, held: string, options: StitchOptions): boolean {
  const body = held.trimStart();
  if (body === '' || partial.includes(held) || partial.includes(body)) return false;
  const result = stitch(partial, held, options);
  return held.slice(result.removedLength).trim() !== '';
}
