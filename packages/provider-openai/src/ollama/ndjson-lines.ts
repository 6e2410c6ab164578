/**
 * Splits a newline-delimited JSON body (Ollama's streaming format) into its lines as they arrive,
 * skipping blank ones. The last line is delivered even without a trailing newline.
 */
export async function* readNdjsonLines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') yield line;
        newline = pending.indexOf('\n');
      }
      if (done) break;
    }
    const last = pending.trim();
    if (last !== '') yield last;
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}
