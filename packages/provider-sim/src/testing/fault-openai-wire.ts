import { answerPieces, endsEarly, piecesBeforeEnding } from '../fault-decision.ts';
import { breakOff, sendWholeBody, streamPieces, type FaultAnswerContext } from './fault-answer-context.ts';

function finishReasonOf(context: FaultAnswerContext): string {
  return context.answer.type === 'tool-call' ? 'tool_calls' : context.answer.finish;
}

function usageOf(context: FaultAnswerContext, completionTokens: number): Record<string, unknown> {
  return {
    prompt_tokens: context.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: context.promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/** Writes an answer as OpenAI's `/v1/chat/completions` does, streamed or whole. */
export async function writeOpenAiAnswer(context: FaultAnswerContext): Promise<void> {
  if (context.request.stream) await streamOpenAiAnswer(context);
  else await sendWholeBody(context, openAiCompletion(context));
}

function openAiCompletion(context: FaultAnswerContext): Record<string, unknown> {
  const { answer, request, sequence } = context;
  const pieces = answerPieces(answer);
  const message =
    answer.type === 'tool-call'
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: `call_fault_${sequence}`,
              type: 'function',
              function: { name: answer.name, arguments: pieces.join('') },
            },
          ],
        }
      : { role: 'assistant', content: pieces.join(''), refusal: null };
  return {
    id: `chatcmpl-fault-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(context) }],
    usage: usageOf(context, pieces.length),
    system_fingerprint: 'fp_fault',
  };
}

async function streamOpenAiAnswer(context: FaultAnswerContext): Promise<void> {
  const { exchange, answer, request, decision, sequence } = context;
  const id = `chatcmpl-fault-${sequence}`;
  const created = Math.floor(Date.now() / 1000);
  const usageField = request.includeUsage ? { usage: null } : {};
  const chunk = (
    delta: Record<string, unknown>,
    finishReason: string | null = null,
  ): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    system_fingerprint: 'fp_fault',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
  });
  const send = (data: unknown): void => exchange.write(`data: ${JSON.stringify(data)}\n\n`);

  exchange.startEventStream();
  if (!(await exchange.sleep(decision.firstTokenDelayMs))) return;
  const pieces = answerPieces(answer);
  const count = piecesBeforeEnding(decision.ending, pieces.length);
  if (answer.type === 'tool-call') {
    send(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            index: 0,
            id: `call_fault_${sequence}`,
            type: 'function',
            function: { name: answer.name, arguments: '' },
          },
        ],
      }),
    );
  } else send(chunk({ role: 'assistant', content: '', refusal: null }));

  const writePiece = (piece: string): void =>
    send(
      answer.type === 'tool-call'
        ? chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })
        : chunk({ content: piece }),
    );
  const writeMalformed = (): void =>
    exchange.write(
      `data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\n\n`,
    );
  if (!(await streamPieces(context, pieces, count, writePiece, writeMalformed))) return;
  if (endsEarly(decision.ending)) {
    await breakOff(context);
    return;
  }
  send(chunk({}, finishReasonOf(context)));
  if (request.includeUsage) {
    send({
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      system_fingerprint: 'fp_fault',
      choices: [],
      usage: usageOf(context, count),
    });
  }
  if (decision.ending.type === 'no-done') {
    await exchange.hang();
    return;
  }
  exchange.write('data: [DONE]\n\n');
  exchange.end();
}
