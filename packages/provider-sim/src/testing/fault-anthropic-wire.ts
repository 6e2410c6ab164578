import { answerPieces, endsEarly, piecesBeforeEnding } from '../fault-decision.ts';
import { breakOff, sendWholeBody, streamPieces, type FaultAnswerContext } from './fault-answer-context.ts';

function stopReasonOf(context: FaultAnswerContext): string {
  if (context.answer.type === 'tool-call') return 'tool_use';
  return context.answer.finish === 'length' ? 'max_tokens' : 'end_turn';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Writes an answer as Anthropic's `/v1/messages` does, streamed (named SSE events) or whole. */
export async function writeAnthropicAnswer(context: FaultAnswerContext): Promise<void> {
  if (context.request.stream) await streamAnthropicAnswer(context);
  else await sendWholeBody(context, anthropicMessage(context));
}

function anthropicMessage(context: FaultAnswerContext): Record<string, unknown> {
  const { answer, request, sequence, promptTokens } = context;
  const pieces = answerPieces(answer);
  const content =
    answer.type === 'tool-call'
      ? [
          {
            type: 'tool_use',
            id: `toolu_fault_${sequence}`,
            name: answer.name,
            input: safeJson(pieces.join('')),
          },
        ]
      : [{ type: 'text', text: pieces.join('') }];
  return {
    id: `msg_fault_${sequence}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: stopReasonOf(context),
    stop_sequence: null,
    usage: {
      input_tokens: promptTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: pieces.length,
    },
  };
}

async function streamAnthropicAnswer(context: FaultAnswerContext): Promise<void> {
  const { exchange, answer, request, decision, sequence, promptTokens } = context;
  const send = (event: string, data: unknown): void =>
    exchange.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  exchange.startEventStream();
  send('message_start', {
    type: 'message_start',
    message: {
      id: `msg_fault_${sequence}`,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: promptTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 1,
      },
    },
  });
  send('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block:
      answer.type === 'tool-call'
        ? { type: 'tool_use', id: `toolu_fault_${sequence}`, name: answer.name, input: {} }
        : { type: 'text', text: '' },
  });
  send('ping', { type: 'ping' });
  if (!(await exchange.sleep(decision.firstTokenDelayMs))) return;

  const pieces = answerPieces(answer);
  const count = piecesBeforeEnding(decision.ending, pieces.length);
  const writePiece = (piece: string): void =>
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta:
        answer.type === 'tool-call'
          ? { type: 'input_json_delta', partial_json: piece }
          : { type: 'text_delta', text: piece },
    });
  const writeMalformed = (): void =>
    exchange.write(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
    );
  if (!(await streamPieces(context, pieces, count, writePiece, writeMalformed))) return;
  if (endsEarly(decision.ending)) {
    await breakOff(context);
    return;
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReasonOf(context), stop_sequence: null },
    usage: { output_tokens: count },
  });
  if (decision.ending.type === 'no-done') {
    await exchange.hang();
    return;
  }
  send('message_stop', { type: 'message_stop' });
  exchange.end();
}
