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
  async complete(
    @Body() body: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const decisionId = randomUUID();
    response.setHeader(decisionIdHeader, decisionId);
    const abort = new AbortController();
    // The caller went away before the answer was complete: stop the models working for nobody.
    response.once('close', () => {
      if (!response.writableFinished) abort.abort();
    });
    const started = await this.gateway.start(body, request.headers, {
      decisionId,
      signal: abort.signal,
      apiKeyId: apiKeyOf(request)?.id,
    });
    if (started.request.stream) await streamChatCompletion(response, started);
    else await sendChatCompletion(response, started);
  }

  @Get('models')
  models(): Promise<ModelList> {
    return this.gateway.models();
  }
}
