import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { QualitySignal } from '@switchboard/core';
import { gameSignals, isGameSignal } from '@switchboard/sdk';
import { z } from 'zod';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ApiError } from '../errors/api-error.ts';
import { OptimizerService } from '../optimization/optimizer.service.ts';
import { DecisionStore, type RememberedDecision } from './decision-store.ts';
import { FeedbackRepository } from './feedback.repository.ts';

const gameSignalAdvice = `without a score, expected what the player did next: ${gameSignals.join(', ')}`;

/**
 * Body of `POST /v1/feedback`: `{ decisionId, score, signal? }`, a rating (signal then labels what
 * produced it), or `{ decisionId, signal }` with a game signal and no score. How each updates the
 * model's quality estimate is core's `qualitySignalEvidence` table: a score s adds s good and 1 − s
 * bad observations; `continued` 0.25 good, `regenerated` 0.75 bad, `abandoned` 0.5 bad.
 */
const feedbackBodySchema = z
  .strictObject({
    decisionId: z
      .string({ error: 'expected the decision id from x-switchboard-decision-id or /v1/select' })
      .min(1, 'expected the decision id from x-switchboard-decision-id or /v1/select')
      .max(200, 'expected at most 200 characters'),
    score: z
      .number({ error: 'expected a number from 0 (bad) to 1 (excellent)' })
      .min(0, 'expected a number from 0 (bad) to 1 (excellent)')
      .max(1, 'expected a number from 0 (bad) to 1 (excellent)')
      .optional(),
    signal: z
      .string({ error: 'expected a short label such as "player-rating"' })
      .regex(
        /^[A-Za-z0-9_.:-]{1,64}$/,
        'expected a short label such as "player-rating" (letters, digits, _ . : -, at most 64 characters)',
      )
      .optional(),
  })
  .superRefine((body, context) => {
    if (body.score !== undefined) return;
    if (body.signal === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['score'],
        message: `expected a number from 0 (bad) to 1 (excellent), or a signal (${gameSignals.join(', ')})`,
      });
    } else if (!isGameSignal(body.signal)) {
      context.addIssue({ code: 'custom', path: ['signal'], message: gameSignalAdvice });
    }
  });

/** What `POST /v1/feedback` answers (202): the score was stored against this decision. */
export interface AcceptedFeedback {
  accepted: true;
  decisionId: string;
  /** The model the score counts for; `null` when the decision had none. */
  modelId: string | null;
  taskType: RememberedDecision['taskType'];
}

/**
 * Feedback on decisions: a score from 0 to 1, or a game signal, about what a decision produced,
 * attributed to the decision's model and task through the {@link DecisionStore}. Scores are stored
 * in the `feedback` table; both are passed to the fleet optimiser (when present), which is what
 * selection learns from. No free text is accepted: feedback must never carry what a player wrote.
 */
@Injectable()
export class FeedbackService {
  constructor(
    @Inject(DecisionStore) private readonly decisions: DecisionStore,
    @Inject(FeedbackRepository) private readonly repository: FeedbackRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(OptimizerService) private readonly optimizer?: OptimizerService,
  ) {}

  /** Checks and stores one score; 400 naming the field, 404 for a decision no longer (or never) kept. */
  async accept(body: unknown, apiKeyId: string | undefined): Promise<AcceptedFeedback> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ApiError.invalidRequest([
        { path: '(root)', message: 'expected a JSON object such as {"decisionId":"…","score":0.8}' },
      ]);
    }
    const request = feedbackBodySchema.parse(body);
    const decision = this.decisions.find(request.decisionId);
    if (decision === undefined) {
      throw ApiError.notFound(
        `There is no recent decision "${request.decisionId}". Decisions are kept for ${this.decisions.retentionMinutes} ` +
          `minutes (at most ${this.decisions.capacity.toLocaleString('en-US')}) by the instance that made them: send ` +
          'feedback sooner, to the same instance, with the id from the x-switchboard-decision-id header or /v1/select.',
      );
    }
    const score = request.score;
    if (score === undefined) {
      // A game signal: no score to store, only evidence to learn from.
      this.learn(decision, { type: request.signal as 'continued' | 'regenerated' | 'abandoned' });
      return this.accepted(decision);
    }
    await this.repository.insert({
      id: randomUUID(),
      decisionId: decision.decisionId,
      modelId: decision.modelId,
      taskType: decision.taskType,
      riskLevel: decision.riskLevel,
      policyName: decision.policyName,
      snapshotVersion: decision.snapshotVersion,
      source: decision.source,
      score,
      signal: request.signal ?? null,
      apiKeyId: apiKeyId ?? null,
      receivedAt: new Date(this.clock.now()).toISOString(),
    });
    this.learn(decision, { type: 'feedback', score });
    return this.accepted(decision);
  }

  /** Tells the optimiser about the decision's model; a decision without a model teaches nothing. */
  private learn(decision: RememberedDecision, signal: QualitySignal): void {
    if (decision.modelId === null) return;
    this.optimizer?.recordQuality(decision.modelId, decision.taskType, signal);
  }

  private accepted(decision: RememberedDecision): AcceptedFeedback {
    return {
      accepted: true,
      decisionId: decision.decisionId,
      modelId: decision.modelId,
      taskType: decision.taskType,
    };
  }
}
