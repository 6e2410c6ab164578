import type { RiskLevel, TaskType } from '@switchboard/core';
import type { Clock } from '../config/clock.ts';

/** Where a remembered decision was made. */
export type DecisionSource = 'select' | 'gateway';

/** What feedback on a decision is attributed to. Ids and classifications only, never content. */
export interface RememberedDecision {
  decisionId: string;
  /**
   * The model the feedback is about: the one that answered (gateway), or the top candidate
   * (`/v1/select`). `null` when none did (every model failed, or nothing was eligible).
   */
  modelId: string | null;
  taskType: TaskType;
  riskLevel: RiskLevel;
  policyName: string;
  snapshotVersion: number;
  source: DecisionSource;
}

/** How long decisions are kept and how many at most. */
export interface DecisionStoreOptions {
  /** Default 30 minutes: long enough for a player's rating at the end of a scene. */
  retentionMs: number;
  /** Default 10,000: bounds memory however busy the instance is. */
  maxEntries: number;
}

/** The defaults of {@link DecisionStoreOptions}. */
export const defaultDecisionStoreOptions: Readonly<DecisionStoreOptions> = Object.freeze({
  retentionMs: 30 * 60_000,
  maxEntries: 10_000,
});

interface Entry {
  decision: RememberedDecision;
  rememberedAt: number;
}

/**
 * Recent decisions by id, so that `/v1/feedback` can say which model and task a score is about.
 * Bounded both ways: entries older than `retentionMs` are forgotten, and beyond `maxEntries` the
 * oldest go first. A `Map` iterates in insertion order, which is also age order, so expiry only
 * ever looks at its front.
 *
 * In memory and per instance: feedback must reach the instance that made the decision (a sticky
 * load balancer or the shared store of the multi-instance issue).
 */
export class DecisionStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly options: DecisionStoreOptions = defaultDecisionStoreOptions,
  ) {}

  /** Keeps `decision` for the retention time (again, when it was already kept). */
  remember(decision: RememberedDecision): void {
    const now = this.clock.now();
    this.entries.delete(decision.decisionId);
    this.entries.set(decision.decisionId, { decision, rememberedAt: now });
    this.expire(now);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** The decision, while it is kept. */
  find(decisionId: string): RememberedDecision | undefined {
    const now = this.clock.now();
    this.expire(now);
    return this.entries.get(decisionId)?.decision;
  }

  /** How long decisions are kept, in whole minutes, for messages. */
  get retentionMinutes(): number {
    return Math.round(this.options.retentionMs / 60_000);
  }

  /** How many decisions are kept at most. */
  get capacity(): number {
    return this.options.maxEntries;
  }

  /** Decisions held now. */
  get size(): number {
    return this.entries.size;
  }

  private expire(now: number): void {
    for (const [decisionId, entry] of this.entries) {
      if (now - entry.rememberedAt <= this.options.retentionMs) return;
      this.entries.delete(decisionId);
    }
  }
}
