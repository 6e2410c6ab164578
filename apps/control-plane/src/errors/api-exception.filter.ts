import type { ServerResponse } from 'node:http';
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { usesOpenAiErrorShape } from '../auth/route-access.ts';
import { toOpenAiError, writeOpenAiError } from '../gateway/openai-exception.filter.ts';
import { toApiError } from './to-api-error.ts';

/**
 * The last stop of every HTTP error: writes the `{ error: { code, message, issues } }` body with the
 * status from the code table. Bad input can never become a 5xx here, because classification
 * ({@link toApiError}) recognises every kind of input error first. Only our own faults are logged,
 * by name and stack: never the request body, which may hold a player's words or a key.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  readonly #logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<ServerResponse>();
    const path = (host.switchToHttp().getRequest<IncomingMessage>().url ?? '').split('?')[0] ?? '';
    // Errors raised before routing (unreadable JSON, an oversized body) on OpenAI-compatible routes
    // must still reach OpenAI clients in OpenAI's shape.
    if (usesOpenAiErrorShape(path) && !response.headersSent) {
      writeOpenAiError(response, toOpenAiError(exception, this.#logger));
      return;
    }
    const error = toApiError(exception);
    if (error.code === 'internal') {
      const fault = exception instanceof Error ? exception : new Error(String(exception));
      this.#logger.error(`${fault.name}: ${fault.message}`, fault.stack);
    }
    if (response.headersSent) {
      // A stream already started (server-sent events): all that is left is to end it.
      response.end();
      return;
    }
    const body = JSON.stringify(error.toBody());
    response.statusCode = error.status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('content-length', Buffer.byteLength(body));
    response.end(body);
  }
}
