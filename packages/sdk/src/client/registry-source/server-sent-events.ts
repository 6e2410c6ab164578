/** One event of a `text/event-stream`, as the HTML standard defines it. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
  /** The last `id:` seen on the stream, if any. */
  id: string | undefined;
}

/**
 * Reads a `text/event-stream` chunk by chunk: lines end in LF, CRLF or CR (a CR at the end of a
 * chunk waits for the next chunk to tell); `event`, `data`, `id` and `retry` fields; lines starting
 * with `:` are comments (keep-alives); a blank line dispatches the event, and an event without data
 * is dropped, as browsers do.
 */
export class ServerSentEventParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #lastId: string | undefined;
  #retryMs: number | undefined;

  /** The reconnection delay the server last asked for with `retry:`, in milliseconds. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** Feeds a decoded chunk; returns the events it completed, in order. */
  push(chunk: string): ServerSentEvent[] {
    this.#buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.#buffer.length; index++) {
      const character = this.#buffer[index];
      if (character !== '\n' && character !== '\r') continue;
      if (character === '\r' && index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(start, index);
      if (character === '\r' && this.#buffer[index + 1] === '\n') index += 1;
      start = index + 1;
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\u0000')) this.#lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.#retryMs = Number(value);
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event = this.#event === '' ? 'message' : this.#event;
    const data = this.#data;
    this.#event = '';
    this.#data = [];
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.#lastId };
  }
}
