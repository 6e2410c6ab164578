import type { ServerResponse } from 'node:http';
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { OpenAiShapedApiError } from '../auth/auth-errors.ts';
import { toApiError } from '../errors/to-api-error.ts';
import { OpenAiError, openAiErrorOfApiError } from './openai-error.ts';

/**
 * Classifies anything thrown on an OpenAI-compatible route into an {@link OpenAiError}: the
 * gateway's own errors as they are, authentication's refusals with the `type` and `code` they
 * already carry, and everything else through the control plane's shared classification
 * (`toApiError`), so bad input is a 4xx here exactly as on every other route, and only our own
 * faults are a 500 (logged by name, never with the request).
 */
export function toOpenAiError(exception: unknown, logger?: Logger): OpenAiError {
  if (exception instanceof OpenAiError) return exception;
  if (exception instanceof OpenAiShapedApiError) {
    const { type, param, code } = exception.openAi;
    return new OpenAiError(exception.status, exception.message, type, param, code);
  }
  const error = toApiError(exception);
  if (error.code === 'internal' && logger !== undefined) {
    const fault = exception instanceof Error ? exception : new Error(String(exception));
    logger.error(`${fault.name}: ${fault.message}`, fault.stack);
  }
  return openAiErrorOfApiError(error);
}

/** Writes an OpenAI error response, or, once a stream has started, its error event and the end. */
export function writeOpenAiError(response: ServerResponse, error: OpenAiError): void {
  const body = JSON.stringify(error.toBody());
  if (response.destroyed) return;
  if (response.headersSent) {
    // The OpenAI clients throw on a `data: {"error": …}` event; no `[DONE]` follows, so nothing
    // reads the cut-off answer as complete.
    if (!response.writableEnded && !response.destroyed) response.end(`data: ${body}\n\n`);
    return;
  }
  response.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

/**
 * The exception filter of the OpenAI-compatible routes (`/v1/chat/completions`, `/v1/models`):
 * every error, authentication's included, in OpenAI's shape `{ error: { message, type, param,
 * code } }` with the matching status.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  readonly #logger = new Logger('Gateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    writeOpenAiError(
      host.switchToHttp().getResponse<ServerResponse>(),
      toOpenAiError(exception, this.#logger),
    );
  }
}
