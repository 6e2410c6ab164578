import type { FaultAnswer, FaultAnswerDecision } from '../fault-decision.ts';
import type { FaultExchange } from './fault-exchange.ts';
import type { FaultWireRequest } from './fault-request.ts';

/** Everything a route's writer needs to send one answer. */
export interface FaultAnswerContext {
  exchange: FaultExchange;
  request: FaultWireRequest;
  decision: FaultAnswerDecision;
  answer: FaultAnswer;
  /** Unique per server, for response and tool-call ids. */
  sequence: number;
  /** Prompt tokens to report. */
  promptTokens: number;
  /** Pause between streamed chunks, ms. */
  tokenDelayMs: number;
}

/** A pause that lets bytes already written reach the client before the connection is destroyed. */
function flushPauseMs(context: FaultAnswerContext): number {
  return Math.max(5, context.tokenDelayMs);
}

/**
 * Sends a non-streamed body, or breaks it off as the ending says: cut and drop destroy the socket
 * half-way through the body, stall sends half and then nothing more.
 */
export async function sendWholeBody(context: FaultAnswerContext, body: unknown): Promise<void> {
  const { exchange, decision } = context;
  if (!(await exchange.sleep(decision.firstTokenDelayMs))) return;
  const ending = decision.ending.type;
  if (ending !== 'cut' && ending !== 'drop' && ending !== 'stall') {
    exchange.sendJson(200, body);
    return;
  }
  const text = JSON.stringify(body);
  exchange.response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  exchange.write(text.slice(0, Math.floor(text.length / 2)));
  if (ending === 'stall') {
    await exchange.hang();
    return;
  }
  await exchange.sleep(flushPauseMs(context));
  exchange.destroy();
}

/** Sends the streamed pieces with pacing; returns false when the client left. */
export async function streamPieces(
  context: FaultAnswerContext,
  pieces: readonly string[],
  count: number,
  writePiece: (piece: string) => void,
  writeMalformed: () => void,
): Promise<boolean> {
  const { exchange, decision } = context;
  const malformedAt = decision.malformedChunk ? Math.floor(count / 2) : -1;
  for (let index = 0; index < count; index += 1) {
    if (index > 0 && !(await exchange.sleep(context.tokenDelayMs))) return false;
    if (index === malformedAt) writeMalformed();
    writePiece(pieces[index] ?? '');
  }
  return exchange.open;
}

/**
 * Ends a stream that breaks off early: `cut` ends the body cleanly without a finish, `drop`
 * destroys the connection, `stall` leaves it open and silent until the client or the server closes.
 */
export async function breakOff(context: FaultAnswerContext): Promise<void> {
  const { exchange, decision } = context;
  if (decision.ending.type === 'cut') exchange.end();
  else if (decision.ending.type === 'drop') {
    if (await exchange.sleep(flushPauseMs(context))) exchange.destroy();
  } else await exchange.hang();
}
