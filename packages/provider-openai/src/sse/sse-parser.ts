/**
 * One server-sent event. `data` joins the event's `data:` lines with `\n`, as the WHATWG
 * event-stream format says; OpenAI-compatible streams put one JSON chunk (or `[DONE]`) in it.
 */
export interface ServerSentEvent {
  /** The `event:` field, when the server named the event (Anthropic does; OpenAI does not). */
  event: string | undefined;
  data: string;
  /** The `id:` field, when present. */
  id: string | undefined;
}

/** An incremental parser: feed it decoded text as it arrives, in chunks of any size. */
export interface SseParser {
  /** Parses `text` and calls the event handler for every event it completes. */
  push(text: string): void;
  /**
   * Ends the stream. A last event that lacks its closing blank line is still delivered: some
   * servers end with `data: [DONE]\n` and no blank line, and dropping it would lose the end marker.
   */
  end(): void;
}

const lineFeed = 10;
const carriageReturn = 13;
const colon = 58;
const space = 32;

/**
 * Creates a parser for the `text/event-stream` format. Written for the hot path of streamed
 * completions: it slices each `data:` line once and never copies the pending buffer more than once
 * per chunk. Handles `\n`, `\r\n` and lone `\r` line ends (even a `\r\n` split across two chunks),
 * comments (`: keep-alive`), a leading byte-order mark, and fields without a value.
 */
export function createSseParser(onEvent: (event: ServerSentEvent) => void): SseParser {
  let pending = '';
  let data = '';
  let hasData = false;
  let eventName: string | undefined;
  let lastId: string | undefined;
  let skipLeadingLineFeed = false;
  let atStreamStart = true;

  const dispatch = (): void => {
    if (hasData) onEvent({ event: eventName, data, id: lastId });
    data = '';
    hasData = false;
    eventName = undefined;
  };

  const processLine = (buffer: string, start: number, end: number): void => {
    if (start === end) {
      dispatch();
      return;
    }
    if (buffer.startsWith('data:', start)) {
      const valueStart = buffer.charCodeAt(start + 5) === space ? start + 6 : start + 5;
      const value = buffer.slice(valueStart, end);
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
      return;
    }
    const first = buffer.charCodeAt(start);
    if (first === colon) return;
    const line = buffer.slice(start, end);
    const colonIndex = line.indexOf(':');
    const field = colonIndex === -1 ? line : line.slice(0, colonIndex);
    let value = colonIndex === -1 ? '' : line.slice(colonIndex + 1);
    if (value.charCodeAt(0) === space) value = value.slice(1);
    if (field === 'data') {
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
    } else if (field === 'event') {
      eventName = value;
    } else if (field === 'id' && !value.includes('\0')) {
      lastId = value;
    }
  };

  return {
    push(text: string): void {
      if (text.length === 0) return;
      let chunk = text;
      if (skipLeadingLineFeed) {
        skipLeadingLineFeed = false;
        if (chunk.charCodeAt(0) === lineFeed) chunk = chunk.slice(1);
      }
      if (atStreamStart && chunk.length > 0) {
        atStreamStart = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      const buffer = pending.length === 0 ? chunk : pending + chunk;
      let start = 0;
      if (buffer.indexOf('\r') === -1) {
        let end = buffer.indexOf('\n', start);
        while (end !== -1) {
          processLine(buffer, start, end);
          start = end + 1;
          end = buffer.indexOf('\n', start);
        }
      } else {
        for (let index = 0; index < buffer.length; index++) {
          const code = buffer.charCodeAt(index);
          if (code !== lineFeed && code !== carriageReturn) continue;
          processLine(buffer, start, index);
          if (code === carriageReturn) {
            if (index + 1 === buffer.length) skipLeadingLineFeed = true;
            else if (buffer.charCodeAt(index + 1) === lineFeed) index++;
          }
          start = index + 1;
        }
      }
      pending = start === 0 ? buffer : buffer.slice(start);
    },
    end(): void {
      if (pending.length > 0) processLine(pending, 0, pending.length);
      pending = '';
      dispatch();
    },
  };
}
