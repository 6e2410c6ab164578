/** One dispatched server-sent event: its `event:` name (when given) and its joined `data:` lines. */
export interface ServerSentEvent {
  /** The `event:` field; Anthropic repeats it as `type` inside the data. */
  event: string | undefined;
  /** The `data:` lines joined by newlines (a JSON document for Anthropic). */
  data: string;
}

/**
 * An incremental server-sent-events decoder (the WHATWG event-stream format): feed it text as it
 * arrives, in chunks split anywhere, and it returns the events completed so far.
 *
 * The adapter reads the raw body with this instead of the SDK's stream iterator because that
 * iterator throws on the first malformed JSON chunk, logs the chunk (message content) and only
 * ends when the socket closes; with our own reader a bad chunk is skipped and counted, and the
 * stream is finalised as soon as its stop reason arrives.
 *
 * Kept small and dependency-free; provider-openai has a similar parser (see the package report).
 */
export class ServerSentEventDecoder {
  private buffer = '';
  /** A chunk ended in `\r`: a `\n` at the start of the next chunk belongs to the same line break. */
  private pendingCarriageReturn = false;
  private eventName: string | undefined = undefined;
  private dataLines: string[] = [];

  /** Decodes the next piece of text and returns every event it completed. */
  push(text: string): ServerSentEvent[] {
    if (text === '') return [];
    let chunk = text;
    if (this.pendingCarriageReturn && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCarriageReturn = false;
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let position = 0; position < this.buffer.length; position += 1) {
      const character = this.buffer[position];
      if (character !== '\n' && character !== '\r') continue;
      const line = this.buffer.slice(start, position);
      if (character === '\r') {
        if (position + 1 === this.buffer.length) this.pendingCarriageReturn = true;
        else if (this.buffer[position + 1] === '\n') position += 1;
      }
      start = position + 1;
      const event = this.acceptLine(line);
      if (event !== undefined) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /**
   * Called when the body has ended. The format says an unterminated last event is dropped; we
   * dispatch it when it has data, because a complete JSON payload is still worth reading and a
   * truncated one is caught (and counted) by the JSON parse that follows.
   */
  flush(): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    if (this.buffer !== '') {
      const event = this.acceptLine(this.buffer);
      if (event !== undefined) events.push(event);
      this.buffer = '';
    }
    const last = this.dispatch();
    if (last !== undefined) events.push(last);
    return events;
  }

  private acceptLine(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.eventName = value;
    else if (field === 'data') this.dataLines.push(value);
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const event =
      this.dataLines.length === 0 ? undefined : { event: this.eventName, data: this.dataLines.join('\n') };
    this.eventName = undefined;
    this.dataLines = [];
    return event;
  }
}
