import type { ChatMessage, Transcript } from '@switchboard/core';

/** The assistant's side of a turn: plain text, or a full message (with tool calls). */
type AssistantReply = string | Extract<ChatMessage, { role: 'assistant' }>;

/**
 * One player's conversation as the client remembers it between requests, so that any model,
 * including one that takes over from another, continues it coherently. Sessions are immutable
 * values: the helpers below return a new session and never change the one they are given, so a
 * session read from a store can be shared without copying.
 */
export interface Session {
  readonly id: string;
  /** The conversation, oldest first, without the system prompt. */
  readonly messages: readonly ChatMessage[];
  /**
   * Indices into `messages` of safety-relevant turns (a disclosure, a crisis plan, a consent) that
   * must reach every model however small its window, ascending and without repeats.
   */
  readonly pinnedIndices: readonly number[];
  /** The system prompt or persona every model is given first. */
  readonly systemPrompt?: string | undefined;
  /**
   * A running summary of the conversation, kept by the host. When a model's window cannot hold the
   * whole transcript, it stands in for the turns that are left out.
   */
  readonly summary?: string | undefined;
  /** Registry id of the model that gave the last answer; a different next model triggers adaptation. */
  readonly lastModelId?: string | undefined;
  /** When the session last changed, epoch milliseconds. */
  readonly updatedAt: number;
}

/** A new, empty session. */
export function createSession(
  id: string,
  options: { systemPrompt?: string | undefined; now: number },
): Session {
  if (id.length === 0) throw new TypeError('A session id must not be empty.');
  return { id, messages: [], pinnedIndices: [], systemPrompt: options.systemPrompt, updatedAt: options.now };
}

/** What {@link appendTurn} adds. */
export interface SessionTurn {
  /** The player's message (text or a user message). */
  user: string | Extract<ChatMessage, { role: 'user' }>;
  /** Tool calls and results exchanged before the answer, in order, if any. */
  intermediate?: readonly ChatMessage[] | undefined;
  /** The answer the player saw. */
  assistant: AssistantReply;
  /** Registry id of the model that answered. */
  answeredBy?: string | undefined;
  /** Pin the player's message (a disclosure the game flagged as safety-relevant). */
  pinUser?: boolean | undefined;
}

/** The session with one exchange (the player's message, then the answer) added at the end. */
export function appendTurn(session: Session, turn: SessionTurn, now: number): Session {
  const user: ChatMessage = typeof turn.user === 'string' ? { role: 'user', content: turn.user } : turn.user;
  const assistant: ChatMessage =
    typeof turn.assistant === 'string' ? { role: 'assistant', content: turn.assistant } : turn.assistant;
  const userIndex = session.messages.length;
  return {
    ...session,
    messages: [...session.messages, user, ...(turn.intermediate ?? []), assistant],
    pinnedIndices: turn.pinUser === true ? [...session.pinnedIndices, userIndex] : session.pinnedIndices,
    lastModelId: turn.answeredBy ?? session.lastModelId,
    updatedAt: now,
  };
}

/**
 * The session with message `index` pinned (negative counts from the end: -2 is the player's last
 * message after an answer). Throws a `RangeError` for an index outside the conversation.
 */
export function pinTurn(session: Session, index: number, now: number): Session {
  const resolved = index < 0 ? session.messages.length + index : index;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= session.messages.length) {
    throw new RangeError(
      `Cannot pin message ${index} of session "${session.id}": it has ${session.messages.length} messages ` +
        '(pin an index from 0 to messages.length - 1, or a negative index counting from the end).',
    );
  }
  if (session.pinnedIndices.includes(resolved)) return session;
  const pinnedIndices = [...session.pinnedIndices, resolved].sort((left, right) => left - right);
  return { ...session, pinnedIndices, updatedAt: now };
}

/** The session with a new running summary. */
export function setSessionSummary(session: Session, summary: string | undefined, now: number): Session {
  return { ...session, summary, updatedAt: now };
}

/**
 * The session as a transcript for core's continuity functions: the system prompt first (so it is
 * never dropped), then the conversation and any `pending` messages of the request being answered;
 * pins are shifted to match.
 */
export function sessionTranscript(session: Session, pending: readonly ChatMessage[] = []): Transcript {
  const head: ChatMessage[] =
    session.systemPrompt === undefined ? [] : [{ role: 'system', content: session.systemPrompt }];
  const offset = head.length;
  return {
    messages: [...head, ...session.messages, ...pending],
    pinned: new Set(session.pinnedIndices.map((index) => index + offset)),
    summary: session.summary,
  };
}
