import { BadRequestException, HttpException } from '@nestjs/common';
import { SwitchboardValidationError } from '@switchboard/core';
import { z } from 'zod';
import { apiErrorCodeForStatus } from './api-error-codes.ts';
import { ApiError, formatIssuePath } from './api-error.ts';

/** body-parser's errors (`http-errors`): a status and a `type` such as `entity.parse.failed`. */
interface BodyParserError {
  status: number;
  type: string;
}

function isBodyParserError(value: unknown): value is BodyParserError {
  return (
    value instanceof Error &&
    typeof (value as Partial<BodyParserError>).status === 'number' &&
    typeof (value as Partial<BodyParserError>).type === 'string'
  );
}

const bodyAdvice = 'Send a JSON object with the header Content-Type: application/json.';

function fromBodyParser(error: BodyParserError): ApiError {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ApiError('invalid_request', `The request body is not valid JSON. ${bodyAdvice}`, [
        { path: '(root)', message: 'not valid JSON' },
      ]);
    case 'entity.too.large':
      return new ApiError(
        'payload_too_large',
        'The request body is larger than the server accepts; send a smaller body (split a large import).',
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', `The body's encoding is not supported. ${bodyAdvice}`);
    default:
      return new ApiError(
        apiErrorCodeForStatus(error.status),
        `The request body could not be read. ${bodyAdvice}`,
      );
  }
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  const code = apiErrorCodeForStatus(status);
  const response = exception.getResponse();
  const raw =
    typeof response === 'string'
      ? response
      : typeof response === 'object' && response !== null && 'message' in response
        ? String((response as { message: unknown }).message)
        : exception.message;
  if (exception instanceof BadRequestException) {
    // Our code never throws Nest's BadRequestException; Nest makes one from the body parser's
    // SyntaxError (invalid JSON) and from Express's URIError (a bad percent-encoding in the path).
    if (/decode param|URI malformed/i.test(raw)) {
      return new ApiError(
        'invalid_request',
        'The path has an invalid percent-encoding; encode ids with encodeURIComponent.',
        [{ path: '(path)', message: 'invalid percent-encoding' }],
      );
    }
    return fromBodyParser({ status: 400, type: 'entity.parse.failed' });
  }
  const route = /^Cannot (\w+) (.*)$/.exec(raw);
  if (status === 404 && route !== null) {
    return ApiError.notFound(
      `There is no route ${route[1]} ${route[2]}. Check the path; an id that contains "/" must be URL-encoded (openai%2Fgpt-4o).`,
    );
  }
  return new ApiError(code, raw);
}

/**
 * Classifies anything a handler threw into the control plane's vocabulary. Input errors (ours,
 * core's {@link SwitchboardValidationError}, zod's, the body parser's, Nest's HTTP exceptions)
 * become 4xx with their field issues; only what is left, our own faults, becomes `internal`.
 * Exported so that a feature with another wire format (the OpenAI-shaped gateway) can classify
 * first and render second.
 */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof SwitchboardValidationError) {
    return ApiError.invalidRequest(
      exception.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
    );
  }
  if (exception instanceof z.ZodError) {
    return ApiError.invalidRequest(
      exception.issues.map((issue) => ({
        path: formatIssuePath(issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))),
        message: issue.message,
      })),
    );
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isBodyParserError(exception)) return fromBodyParser(exception);
  return new ApiError(
    'internal',
    'The control plane failed to handle this request; the fault is logged. Try again, and report it if it persists.',
  );
}
