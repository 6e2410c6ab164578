import type { ServerResponse } from 'node:http';
import type { ToolCall } from '@switchboard/core';
import { isExecutionError, type EnginePart, type ExecutionResult } from '@switchboard/sdk';
import {
  chatCompletion,
  openAiFinishReason,
  openAiToolCall,
  openAiUsage,
  type ChatCompletionChunk,
  type ChunkDelta,
  type OpenAiUsage,
} from './chat-completion-response.ts';
import { fallbackModelName, type StartedCompletion } from './gateway.service.ts';
import { openAiErrorOfExecution } from './openai-error.ts';
import { writeOpenAiError } from './openai-exception.filter.ts';

/** The value of `x-switchboard-fallback` when the crisis safe message answered. */
const safeMessageFallback = 'safe-message';

/**
 * Waits for the whole answer and sends it as one `chat.completion`, with `x-switchboard-model`
 * naming the model that answered. A failed execution is thrown as its `OpenAiError` (the filter
 * writes it).
 */
export async function sendChatCompletion(
  response: ServerResponse,
  started: StartedCompletion,
): Promise<void> {
  let result: ExecutionResult;
  try {
    result = await started.execution.result;
  } catch (error) {
    throw isExecutionError(error) ? openAiErrorOfExecution(error) : error;
  }
  const model = result.answeredBy ?? fallbackModelName;
  const body = JSON.stringify(
    chatCompletion({
      id: completionId(started),
      created: started.created,
      model,
      text: result.text,
      toolCalls: result.toolCalls,
      finishReason: result.finishReason,
      usage: result.usage,
    }),
  );
  response.statusCode = 200;
  setCompletionHeaders(response, started, model, result.fallback !== undefined);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

/**
 * Streams the answer in OpenAI's server-sent-event format: `data: <chat.completion.chunk>\n\n` for a
 * first chunk with `delta.role`, each text delta, each tool call, a last chunk with the
 * `finish_reason`, with `include_usage` a chunk with `choices: []` and the usage, then
 * `data: [DONE]\n\n`.
 *
 * The status and headers go out, flushed, with the first part of the answer: by then any failover
 * before content is over, so `x-switchboard-model` names the model actually answering, and a request
 * that fails before any content still gets its real status (429, 503, ...) instead of a 200 with an
 * error inside. Once content was sent, a failure is a `data: {"error": …}` event and the stream ends
 * without `[DONE]`: the OpenAI clients throw on it, so a cut-off answer never passes for a whole one.
 */
export async function streamChatCompletion(
  response: ServerResponse,
  started: StartedCompletion,
): Promise<void> {
  const iterator = started.execution[Symbol.asyncIterator]();
  let next: IteratorResult<EnginePart>;
  try {
    next = await iterator.next();
  } catch (error) {
    throw isExecutionError(error) ? openAiErrorOfExecution(error) : error;
  }
  const model = started.usedFallback() ? fallbackModelName : (started.speaker() ?? fallbackModelName);
  response.statusCode = 200;
  setCompletionHeaders(response, started, model, started.usedFallback());
  response.setHeader('content-type', 'text/event-stream; charset=utf-8');
  response.setHeader('cache-control', 'no-cache, no-transform');
  response.setHeader('x-accel-buffering', 'no');
  response.flushHeaders();

  const writer = new ChunkWriter(
    response,
    completionId(started),
    started.created,
    started.request.includeUsage,
  );
  try {
    await writer.write({ role: 'assistant', content: '' }, model);
    let toolIndex = 0;
    while (next.done !== true) {
      const part = next.value;
      if (part.type === 'text-delta') {
        await writer.write({ content: part.delta }, started.speaker() ?? model);
      } else if (part.type === 'tool-call') {
        await writer.write(
          { tool_calls: [toolCallDelta(part.toolCall, toolIndex++)] },
          started.speaker() ?? model,
        );
      } else {
        await writer.finish(part.result);
        return;
      }
      next = await iterator.next();
    }
  } catch (error) {
    if (!isExecutionError(error)) throw error;
    writeOpenAiError(response, openAiErrorOfExecution(error));
  }
}

function toolCallDelta(call: ToolCall, index: number): NonNullable<ChunkDelta['tool_calls']>[number] {
  return { index, ...openAiToolCall(call) };
}

function completionId(started: StartedCompletion): string {
  return `chatcmpl-${started.decisionId}`;
}

function setCompletionHeaders(
  response: ServerResponse,
  started: StartedCompletion,
  model: string,
  fallback: boolean,
): void {
  response.setHeader('x-switchboard-model', model);
  if (fallback) response.setHeader('x-switchboard-fallback', safeMessageFallback);
  for (const [name, value] of Object.entries(started.headers)) response.setHeader(name, value);
}

/** Writes chunks as server-sent events, waiting when the client reads slower than we write. */
class ChunkWriter {
  constructor(
    private readonly response: ServerResponse,
    private readonly id: string,
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {}

  write(delta: ChunkDelta, model: string): Promise<void> {
    return this.send(this.chunk(model, [{ index: 0, delta, logprobs: null, finish_reason: null }]));
  }

  /** The finish chunk, the usage chunk when asked for, and `[DONE]`. */
  async finish(result: ExecutionResult): Promise<void> {
    const model = result.answeredBy ?? fallbackModelName;
    const finish = this.chunk(model, [
      { index: 0, delta: {}, logprobs: null, finish_reason: openAiFinishReason(result.finishReason) },
    ]);
    // Only when the safe message followed content already sent: the headers could not say so.
    const extension = result.fallback === undefined ? '' : `,"switchboard":{"fallback":"${result.fallback}"}`;
    await this.send(finish, extension);
    if (this.includeUsage) {
      const usage: OpenAiUsage = openAiUsage(result.usage) ?? {
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
      };
      await this.send({ ...this.chunk(model, []), usage });
    }
    this.response.end('data: [DONE]\n\n');
  }

  private chunk(model: string, choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
    const chunk: ChatCompletionChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model,
      choices,
    };
    if (this.includeUsage) chunk.usage = null;
    return chunk;
  }

  private send(chunk: ChatCompletionChunk, extension = ''): Promise<void> {
    const json = JSON.stringify(chunk);
    const text = extension === '' ? json : `${json.slice(0, -1)}${extension}}`;
    if (this.response.write(`data: ${text}\n\n`)) return Promise.resolve();
    return drained(this.response);
  }
}

/** Settles when the response can take more, or when the client went away. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
