import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from '@nestjs/common';
import { ApiExceptionFilter } from '../errors/api-exception.filter.ts';
import { httpHostOf, optionalService, sendJson, type FastRoute } from '../http/fast-path.ts';
import { serveChatCompletion } from './gateway.controller.ts';
import { GatewayService } from './gateway.service.ts';
import { toOpenAiError, writeOpenAiError } from './openai-exception.filter.ts';
import { SelectService } from './select.service.ts';

/**
 * `POST /v1/chat/completions` and `POST /v1/select` as fast routes (see `http/fast-path.ts`): the
 * same `GatewayService` (the SDK engine) and `SelectService` as the controllers, chat errors in
 * OpenAI's shape through the same mapping as `OpenAiExceptionFilter`, select errors through the
 * same `ApiExceptionFilter`. None when the application has no gateway (test applications built
 * from parts).
 */
export function gatewayFastRoutes(app: NestExpressApplication): FastRoute[] {
  const gateway = optionalService(() => app.get(GatewayService));
  const selection = optionalService(() => app.get(SelectService));
  if (gateway === undefined || selection === undefined) return [];
  const gatewayLogger = new Logger('Gateway');
  const apiFilter = new ApiExceptionFilter();
  return [
    {
      path: '/v1/chat/completions',
      answer: (body, request, response) => serveChatCompletion(gateway, body, request, response),
      fail: (error, _request, response) => writeOpenAiError(response, toOpenAiError(error, gatewayLogger)),
    },
    {
      path: '/v1/select',
      answer: async (body, _request, response) => sendJson(response, await selection.select(body)),
      fail: (error, request, response) => apiFilter.catch(error, httpHostOf(request, response)),
    },
  ];
}
