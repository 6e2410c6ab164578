import type { StreamPart } from './chat-model-adapter.ts';

/**
 * Merges adjacent `text-delta` parts of one batch (the parts an adapter parsed from one read of
 * the response body) into one part with their text joined, in place; returns the same array.
 *
 * Each part costs the same downstream whatever its size: the engine stitches it, tracks the
 * speaker, reports it, and the gateway writes it as a whole `chat.completion.chunk` event. A server
 * that writes many small deltas at once (a fast model, a proxy that buffers, a backlog after a
 * pause) would pay that cost per delta for text that reaches the player in the same tick anyway.
 * Only text that already arrived together is merged: no part waits for a later read, and text is
 * never merged across a tool-call delta or any other part, so the order of parts and what the
 * player sees do not change. A batch with no two adjacent text deltas is returned untouched,
 * without allocating. Both bundled stream readers (OpenAI-compatible, Anthropic) call it on every
 * read.
 */
export function coalesceTextDeltas(parts: StreamPart[]): StreamPart[] {
  const count = parts.length;
  let write = 0;
  let read = 0;
  while (read < count) {
    const part = parts[read] as StreamPart;
    read += 1;
    if (part.type === 'text-delta' && read < count && parts[read]?.type === 'text-delta') {
      let delta = part.delta;
      while (read < count) {
        const next = parts[read] as StreamPart;
        if (next.type !== 'text-delta') break;
        delta += next.delta;
        read += 1;
      }
      parts[write] = { type: 'text-delta', delta };
    } else if (write !== read - 1) {
      parts[write] = part;
    }
    write += 1;
  }
  if (write !== count) parts.length = write;
  return parts;
}
