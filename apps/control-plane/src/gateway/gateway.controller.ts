import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Get, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyOf } from '../auth/api-key.guard.ts';
import { ServiceController } from '../http/route-scope.ts';
import { sendChatCompletion, streamChatCompletion } from './chat-completion-writer.ts';
import { GatewayService, type ModelList } from './gateway.service.ts';
import { OpenAiExceptionFilter } from './openai-exception.filter.ts';

/** The response header that names the decision, for `/v1/feedback` and for support. */
export const decisionIdHeader = 'x-switchboard-decision-id';

/**
 * Answers one chat completion on `response`: the decision id header, cancellation when the caller
 * goes away, then the whole answer or its stream. Throws what the filter turns into OpenAI's error
 * shape. Shared by the controller and the gateway's fast path (`gateway-fast-path.ts`).
 */
export async function serveChatCompletion(
  gateway: GatewayService,
  body: unknown,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const decisionId = randomUUID();
  response.setHeader(decisionIdHeader, decisionId);
  const abort = new AbortController();
  // The caller went away before the answer was complete: stop the models working for nobody.
  response.once('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  const started = await gateway.start(body, request.headers, {
    decisionId,
    signal: abort.signal,
    apiKeyId: apiKeyOf(request)?.id,
  });
  if (started.request.stream) await streamChatCompletion(response, started);
  else await sendChatCompletion(response, started);
}

/**
 * The OpenAI-compatible surface: `POST /v1/chat/completions` (streaming or not) and
 * `GET /v1/models`. Every error, authentication's included, comes in OpenAI's error shape.
 * Every chat completion response carries `x-switchboard-decision-id`.
 */
@ApiTags('gateway')
@ServiceController('')
@UseFilters(OpenAiExceptionFilter)
export class GatewayController {
  constructor(@Inject(GatewayService) private readonly gateway: GatewayService) {}

  @Post('chat/completions')
  @HttpCode(200)
  complete(
    @Body() body: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    return serveChatCompletion(this.gateway, body, request, response);
  }

  @Get('models')
  models(): Promise<ModelList> {
    return this.gateway.models();
  }
}
