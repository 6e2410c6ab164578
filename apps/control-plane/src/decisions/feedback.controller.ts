import type { IncomingMessage } from 'node:http';
import { Body, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyOf } from '../auth/api-key.guard.ts';
import { ServiceController } from '../http/route-scope.ts';
import { FeedbackService, type AcceptedFeedback } from './feedback.service.ts';

/**
 * `POST /v1/feedback`: how well a decision served, as a score from 0 (bad) to 1 (excellent) —
 * `{ "decisionId": "…", "score": 0.8, "signal"?: "player-rating" }` — or as what the player did next —
 * `{ "decisionId": "…", "signal": "continued" | "regenerated" | "abandoned" }`; answers 202. Both
 * update the model's learned quality (see `FeedbackService`).
 */
@ApiTags('decisions')
@ServiceController('feedback')
export class FeedbackController {
  constructor(@Inject(FeedbackService) private readonly feedback: FeedbackService) {}

  @Post()
  @HttpCode(202)
  accept(@Body() body: unknown, @Req() request: IncomingMessage): Promise<AcceptedFeedback> {
    return this.feedback.accept(body, apiKeyOf(request)?.id);
  }
}
