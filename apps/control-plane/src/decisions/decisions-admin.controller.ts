import { Get, Inject, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type {
  Decision,
  Rejection,
  RankedCandidate,
  RiskLevel,
  SamplingParameters,
  TaskType,
} from '@switchboard/core';
import { ApiError } from '../errors/api-error.ts';
import { AdminController } from '../http/route-scope.ts';
import { DecisionStore, type DecisionSource, type KeptDecision } from './decision-store.ts';

/** One recent decision in `GET /admin/decisions`: ids and classifications, never message content. */
export interface DecisionSummary {
  id: string;
  /** When it was remembered (for the gateway: when the request ended), ISO 8601. */
  time: string;
  source: DecisionSource;
  policy: string;
  task: TaskType;
  risk: RiskLevel;
  /** The top-ranked candidate; `null` when nothing qualified (or the explanation is no longer kept). */
  chosenModel: string | null;
  /** The model whose answer the caller got (gateway only); `null` when none answered or not known. */
  answeredBy: string | null;
  /** One sentence on why: the decision's summary, or why no model qualified. */
  reason: string;
  /** Whether `GET /admin/decisions/:id` still has the full explanation. */
  explained: boolean;
}

/** `GET /admin/decisions`. */
export interface DecisionSummaryList {
  data: DecisionSummary[];
}

/** `GET /admin/decisions/:id`: the summary with the full explanation, when still kept. */
export interface DecisionExplanation extends DecisionSummary {
  snapshotVersion: number;
  candidates: RankedCandidate[];
  rejections: Rejection[];
  parameters: SamplingParameters | null;
  weights: Decision['weights'] | null;
  explored: boolean | null;
  noEligibleModel: { reason: string } | null;
}

const defaultLimit = 50;
const maxLimit = 500;

/**
 * Recent decisions of this instance for operators (the dashboard): what was asked (policy, task,
 * risk), where it went and why. Read from the in-memory {@link DecisionStore}, so only this
 * instance's decisions of the retention window are listed.
 */
@ApiTags('decisions')
@AdminController('decisions')
export class DecisionsAdminController {
  constructor(@Inject(DecisionStore) private readonly decisions: DecisionStore) {}

  /** Newest first; `limit` 1..500, default 50. */
  @Get()
  list(@Query('limit') limit: unknown): DecisionSummaryList {
    return { data: this.decisions.recent(parseLimit(limit)).map(summarize) };
  }

  /** The ranked candidates with their reasons, the rejections with theirs, the sampling parameters. */
  @Get(':id')
  read(@Param('id') id: string): DecisionExplanation {
    const kept = this.decisions.findKept(id);
    if (kept === undefined) {
      throw ApiError.notFound(
        `No decision "${id}" is kept on this instance: decisions are kept for ${this.decisions.retentionMinutes} minutes ` +
          `(at most ${this.decisions.capacity}); list the recent ones with GET /admin/decisions.`,
      );
    }
    const explanation = kept.decision.explanation;
    return {
      ...summarize(kept),
      snapshotVersion: kept.decision.snapshotVersion,
      candidates: explanation?.candidates ?? [],
      rejections: explanation?.rejections ?? [],
      parameters: explanation?.parameters ?? null,
      weights: explanation?.weights ?? null,
      explored: explanation?.explored ?? null,
      noEligibleModel: explanation?.noEligibleModel ?? null,
    };
  }
}

function parseLimit(value: unknown): number {
  if (value === undefined) return defaultLimit;
  const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > maxLimit) {
    throw ApiError.invalidRequest([
      {
        path: 'limit',
        message: `must be a whole number from 1 to ${maxLimit}; leave it out for ${defaultLimit}`,
      },
    ]);
  }
  return parsed;
}

function summarize({ decision, rememberedAt }: KeptDecision): DecisionSummary {
  const explanation = decision.explanation;
  const chosenModel =
    explanation === undefined
      ? decision.source === 'select'
        ? decision.modelId
        : null
      : (explanation.candidates[0]?.modelId ?? null);
  return {
    id: decision.decisionId,
    time: new Date(rememberedAt).toISOString(),
    source: decision.source,
    policy: decision.policyName,
    task: decision.taskType,
    risk: decision.riskLevel,
    chosenModel,
    answeredBy: decision.source === 'gateway' ? decision.modelId : null,
    reason: reasonOf(explanation),
    explained: explanation !== undefined,
  };
}

function reasonOf(explanation: Decision | undefined): string {
  if (explanation === undefined) return 'explanation no longer kept (only the newest decisions keep theirs)';
  if (explanation.noEligibleModel !== undefined)
    return `no model qualified: ${explanation.noEligibleModel.reason}`;
  return explanation.summary;
}
