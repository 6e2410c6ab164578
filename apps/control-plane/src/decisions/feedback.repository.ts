import { Inject, Injectable } from '@nestjs/common';
import type { RiskLevel, TaskType } from '@switchboard/core';
import type { Kysely } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import type { TimestampColumn } from '../database/database.ts';
import type { DecisionSource } from './decision-store.ts';

/** The `feedback` table (see `feedback.migration.ts`). */
export interface FeedbackTable {
  /** A UUID. */
  id: string;
  /** The decision the score is about (`x-switchboard-decision-id`, or `/v1/select`'s `decisionId`). */
  decision_id: string;
  /** The model that answered (gateway) or was ranked first (`/v1/select`); `null` when none. */
  model_id: string | null;
  task_type: TaskType;
  risk_level: RiskLevel;
  policy_name: string;
  snapshot_version: number;
  source: DecisionSource;
  /** 0 (bad) to 1 (excellent). */
  score: number;
  /** What produced the score (`player-rating`, `safety-review`, ...); `null` when not said. */
  signal: string | null;
  /** The API key that sent the feedback. */
  api_key_id: string | null;
  received_at: TimestampColumn;
}

/** The tables this repository reads and writes, for Kysely's typing. */
export interface FeedbackDatabase {
  feedback: FeedbackTable;
}

/** One score to store; `receivedAt` is ISO 8601 from the injected clock. */
export interface NewFeedback {
  id: string;
  decisionId: string;
  modelId: string | null;
  taskType: TaskType;
  riskLevel: RiskLevel;
  policyName: string;
  snapshotVersion: number;
  source: DecisionSource;
  score: number;
  signal: string | null;
  apiKeyId: string | null;
  receivedAt: string;
}

/** A stored score as it reads back. */
export interface StoredFeedback extends Omit<NewFeedback, 'receivedAt'> {
  receivedAt: Date;
}

/** All of the feedback table's SQL. */
@Injectable()
export class FeedbackRepository {
  private readonly database: Kysely<FeedbackDatabase>;

  constructor(@Inject(DATABASE) database: Kysely<unknown>) {
    // The shared `Database` type lists the skeleton's tables; this repository owns `feedback`.
    this.database = database as Kysely<FeedbackDatabase>;
  }

  async insert(feedback: NewFeedback): Promise<void> {
    await this.database
      .insertInto('feedback')
      .values({
        id: feedback.id,
        decision_id: feedback.decisionId,
        model_id: feedback.modelId,
        task_type: feedback.taskType,
        risk_level: feedback.riskLevel,
        policy_name: feedback.policyName,
        snapshot_version: feedback.snapshotVersion,
        source: feedback.source,
        score: feedback.score,
        signal: feedback.signal,
        api_key_id: feedback.apiKeyId,
        received_at: feedback.receivedAt,
      })
      .execute();
  }

  /** Every score given on one decision, oldest first. */
  async listForDecision(decisionId: string): Promise<StoredFeedback[]> {
    const rows = await this.database
      .selectFrom('feedback')
      .selectAll()
      .where('decision_id', '=', decisionId)
      .orderBy('received_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      decisionId: row.decision_id,
      modelId: row.model_id,
      taskType: row.task_type,
      riskLevel: row.risk_level,
      policyName: row.policy_name,
      snapshotVersion: Number(row.snapshot_version),
      source: row.source,
      score: Number(row.score),
      signal: row.signal,
      apiKeyId: row.api_key_id,
      receivedAt: new Date(row.received_at),
    }));
  }
}
