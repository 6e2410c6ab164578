import type { ChatMessage } from '../spec/chat-model-adapter.ts';

/**
 * A conversation as the session holds it, before it is cut to one model's window.
 *
 * Pins are message indices rather than flags on the messages, so `ChatMessage` stays the provider
 * wire shape and a session can pin or unpin a turn without copying the conversation.
 */
export interface Transcript {
  /** The conversation, oldest first. */
  messages: readonly ChatMessage[];
  /**
   * Indices into `messages` of safety-relevant turns (a disclosure, a crisis plan, a consent) that
   * must reach every model, however small its window. Pinning one message of a tool exchange keeps
   * the whole exchange. Indices outside `messages` are ignored.
   */
  pinned?: ReadonlySet<number> | undefined;
  /**
   * A summary the session already holds of the earlier conversation. When turns must be dropped and
   * no `summarise` function is given, it becomes the text of the marker that stands in for them,
   * so the next model still knows what happened. Unused when nothing is dropped.
   */
  summary?: string | undefined;
}

/** How much room there is and how to measure it. */
export interface FitToWindowOptions {
  /** The target model's context window (prompt and answer together), in tokens. */
  windowTokens: number;
  /** Tokens kept free for the answer; the prompt may use `windowTokens - reserveOutputTokens`. */
  reserveOutputTokens: number;
  /**
   * Tokens one message takes in the target model's prompt, including its per-message overhead.
   * Injected so core stays independent of any tokenizer; it must be pure and return a non-negative
   * number, since the fit trusts it to add up.
   */
  countTokens: (message: ChatMessage) => number;
  /**
   * Summarises the turns about to be dropped (oldest first) into plain text for the marker. It must
   * be synchronous and cheap: it may be called once per candidate cut, newest cut first, until its
   * summary fits. A blank result falls back to the omission count.
   */
  summarise?: ((dropped: ChatMessage[]) => string) | undefined;
}

/** Why a transcript could not be fitted. */
export type FitFailureKind =
  /** The window minus the reserve leaves no room at all (zero, negative or not a number). */
  | 'invalid-window'
  /** The system prompt, the pinned turns and the current exchange alone do not fit. */
  | 'required-turns-exceed-window'
  /** Everything required fits, but not together with the marker that must replace dropped turns. */
  | 'no-room-for-marker';

/** The outcome of {@link fitToWindow}. Failures are values: the caller picks another model or reserves less. */
export type FitToWindowResult =
  | {
      ok: true;
      /** The messages to send, in their original order, with the marker in place of dropped turns. */
      messages: ChatMessage[];
      /** How many messages of the transcript were dropped (the marker not counted). */
      droppedCount: number;
      /** Total tokens of `messages` by `countTokens`; never above the window minus the reserve. */
      tokens: number;
      /** The marker message that replaced the dropped turns, when something was dropped. */
      marker: ChatMessage | undefined;
      /** Indices into the transcript of the messages kept, ascending, so a session can remap its pins. */
      keptIndices: number[];
    }
  | {
      ok: false;
      kind: FitFailureKind;
      /** What was wrong and what to do, without any message content (it may be logged). */
      reason: string;
      /** Tokens the messages that may not be dropped need (plus the marker, for `no-room-for-marker`). */
      requiredTokens: number;
      /** Tokens the window leaves for the prompt. */
      availableTokens: number;
    };

/** Messages that go or stay together: one message, or an assistant tool call with its results. */
interface Turn {
  /** Index of the first message in the transcript. */
  start: number;
  /** Index after the last message. */
  end: number;
  tokens: number;
  required: boolean;
}

/** Prefix of the marker that carries a summary; exported so hosts can recognise it. */
export const summaryMarkerPrefix = '[Earlier conversation summarised: ';

/**
 * Cuts a transcript to what a model's window holds, keeping what a therapeutic conversation cannot
 * lose:
 *
 * - the first system message (system prompt / persona) and every pinned turn are never dropped;
 * - the current exchange — the newest user message and everything after it (tool rounds, a
 *   prefilled assistant turn) — is never dropped; with no user message, the newest turn is kept;
 * - an assistant message with tool calls and the tool messages that follow it go or stay together;
 * - otherwise the newest turns are kept, as one unbroken run back from the current exchange, and
 *   everything older is dropped; order is preserved.
 *
 * Dropped turns are replaced by one `system` message where the oldest dropped turn was (normally
 * right after the system prompt): `[Earlier conversation summarised: …]` with the `summarise`
 * result or the transcript's running `summary`, else `[12 earlier turns omitted]`. The marker is a
 * system message because it is the host speaking, not the player; `adaptForModel` turns it into
 * user-turn instructions for models without a system role. A summary is preferred over verbatim
 * turns: older turns are dropped until it fits, and only if it never fits is the count used.
 *
 * The result never exceeds `windowTokens - reserveOutputTokens`, marker included. When even the
 * turns that may not be dropped do not fit, the result is `{ ok: false }` with the figures.
 */
export function fitToWindow(transcript: Transcript, options: FitToWindowOptions): FitToWindowResult {
  const budget = options.windowTokens - options.reserveOutputTokens;
  if (!Number.isFinite(budget) || budget <= 0) {
    return {
      ok: false,
      kind: 'invalid-window',
      reason:
        `A window of ${options.windowTokens} tokens with ${options.reserveOutputTokens} reserved for the answer ` +
        'leaves no room for the prompt. Reserve fewer output tokens or choose a model with a larger window.',
      requiredTokens: 0,
      availableTokens: Number.isFinite(budget) ? Math.max(0, budget) : 0,
    };
  }
  const messages = transcript.messages;
  const turns = groupTurns(transcript, options.countTokens);
  const totalTokens = sumTokens(turns);
  if (totalTokens <= budget) return keepAll(messages, totalTokens);

  const requiredTurns = turns.filter((turn) => turn.required);
  const requiredTokens = sumTokens(requiredTurns);
  if (requiredTokens > budget) return requiredTooLarge(transcript, requiredTurns, requiredTokens, options);

  // Optional turns newest first: a plan keeps the first `keep` of them and drops the rest.
  const optional = turns.filter((turn) => !turn.required).reverse();
  let greedyKeep = 0;
  let keptTokens = requiredTokens;
  while (greedyKeep < optional.length && keptTokens + optional[greedyKeep]!.tokens <= budget) {
    keptTokens += optional[greedyKeep]!.tokens;
    greedyKeep += 1;
  }

  const summarise = summariser(transcript, options);
  let fallback: { keep: number; marker: ChatMessage; tokens: number } | undefined;
  for (let keep = greedyKeep; keep >= 0; keep -= 1) {
    const kept = requiredTokens + sumTokens(optional.slice(0, keep));
    const droppedTurns = optional.slice(keep).reverse();
    const dropped = droppedTurns.flatMap((turn) => messages.slice(turn.start, turn.end));
    if (summarise !== undefined) {
      const marker = summaryMarker(summarise(dropped));
      const tokens = marker === undefined ? undefined : options.countTokens(marker);
      if (marker !== undefined && tokens !== undefined && kept + tokens <= budget) {
        return assemble(messages, turns, droppedTurns, marker, kept + tokens);
      }
    }
    if (fallback === undefined) {
      const marker = omissionMarker(dropped.length);
      const tokens = options.countTokens(marker);
      if (kept + tokens <= budget) {
        if (summarise === undefined) return assemble(messages, turns, droppedTurns, marker, kept + tokens);
        fallback = { keep, marker, tokens: kept + tokens };
      }
    }
  }
  if (fallback !== undefined) {
    const droppedTurns = optional.slice(fallback.keep).reverse();
    return assemble(messages, turns, droppedTurns, fallback.marker, fallback.tokens);
  }
  const markerTokens = options.countTokens(omissionMarker(sumMessages(optional)));
  return {
    ok: false,
    kind: 'no-room-for-marker',
    reason:
      `The turns that may not be dropped fit in the ${budget} tokens left for the prompt, but not together with ` +
      `the ${markerTokens}-token marker that must say earlier turns were left out. Reserve fewer output tokens ` +
      'or choose a model with a larger window.',
    requiredTokens: requiredTokens + markerTokens,
    availableTokens: budget,
  };
}

/** Splits the transcript into turns that go or stay whole, and marks the ones that must stay. */
function groupTurns(transcript: Transcript, countTokens: (message: ChatMessage) => number): Turn[] {
  const messages = transcript.messages;
  const turns: Turn[] = [];
  let toolGroupOpen = false;
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index]!;
    const tokens = countTokens(message);
    const last = turns.at(-1);
    if (message.role === 'tool' && toolGroupOpen && last !== undefined) {
      last.end = index + 1;
      last.tokens += tokens;
      continue;
    }
    turns.push({ start: index, end: index + 1, tokens, required: false });
    // Tool results join the assistant turn that called them; orphan results stay together too.
    toolGroupOpen =
      message.role === 'tool' || (message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0);
  }
  const systemIndex = messages.findIndex((message) => message.role === 'system');
  const lastUserIndex = messages.findLastIndex((message) => message.role === 'user');
  const currentFrom = lastUserIndex >= 0 ? lastUserIndex : messages.length - 1;
  const pinned = transcript.pinned ?? new Set<number>();
  for (const turn of turns) {
    const indices = Array.from({ length: turn.end - turn.start }, (_unused, offset) => turn.start + offset);
    turn.required =
      turn.end - 1 >= currentFrom || indices.some((index) => index === systemIndex || pinned.has(index));
  }
  return turns;
}

function summariser(
  transcript: Transcript,
  options: FitToWindowOptions,
): ((dropped: ChatMessage[]) => string) | undefined {
  if (options.summarise !== undefined) return options.summarise;
  const summary = transcript.summary;
  if (summary === undefined || summary.trim() === '') return undefined;
  return () => summary;
}

function summaryMarker(summary: string): ChatMessage | undefined {
  const text = summary.trim();
  if (text === '') return undefined;
  return { role: 'system', content: `${summaryMarkerPrefix}${text}]` };
}

function omissionMarker(droppedCount: number): ChatMessage {
  return {
    role: 'system',
    content: `[${droppedCount} earlier ${droppedCount === 1 ? 'turn' : 'turns'} omitted]`,
  };
}

function keepAll(messages: readonly ChatMessage[], tokens: number): FitToWindowResult {
  return {
    ok: true,
    messages: [...messages],
    droppedCount: 0,
    tokens,
    marker: undefined,
    keptIndices: messages.map((_message, index) => index),
  };
}

/** Builds the fitted transcript: kept turns in order, the marker in place of the oldest dropped. */
function assemble(
  messages: readonly ChatMessage[],
  turns: readonly Turn[],
  droppedTurns: readonly Turn[],
  marker: ChatMessage,
  tokens: number,
): FitToWindowResult {
  const droppedStarts = new Set(droppedTurns.map((turn) => turn.start));
  const output: ChatMessage[] = [];
  const keptIndices: number[] = [];
  let markerPlaced = false;
  for (const turn of turns) {
    if (droppedStarts.has(turn.start)) {
      if (!markerPlaced) output.push(marker);
      markerPlaced = true;
      continue;
    }
    for (let index = turn.start; index < turn.end; index += 1) {
      output.push(messages[index]!);
      keptIndices.push(index);
    }
  }
  return { ok: true, messages: output, droppedCount: sumMessages(droppedTurns), tokens, marker, keptIndices };
}

function requiredTooLarge(
  transcript: Transcript,
  requiredTurns: readonly Turn[],
  requiredTokens: number,
  options: FitToWindowOptions,
): FitToWindowResult {
  const budget = options.windowTokens - options.reserveOutputTokens;
  const pinnedCount = [...(transcript.pinned ?? [])].filter(
    (index) => index >= 0 && index < transcript.messages.length,
  ).length;
  return {
    ok: false,
    kind: 'required-turns-exceed-window',
    reason:
      `The system prompt, ${pinnedCount} pinned ${pinnedCount === 1 ? 'message' : 'messages'} and the current ` +
      `exchange (${sumMessages(requiredTurns)} messages in all) need ${requiredTokens} tokens, but a window of ` +
      `${options.windowTokens} with ${options.reserveOutputTokens} reserved for the answer leaves ${budget}. ` +
      'Choose a model with a larger context window, reserve fewer output tokens, or shorten the system prompt ' +
      'or the pinned turns.',
    requiredTokens,
    availableTokens: budget,
  };
}

function sumTokens(turns: readonly Turn[]): number {
  return turns.reduce((total, turn) => total + turn.tokens, 0);
}

function sumMessages(turns: readonly Turn[]): number {
  return turns.reduce((total, turn) => total + (turn.end - turn.start), 0);
}
