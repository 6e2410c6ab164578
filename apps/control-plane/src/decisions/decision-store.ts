import type { Decision, RiskLevel, TaskType } from '@switchboard/core';
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
  /**
   * The whole decision (ranked candidates, rejections and their reasons, sampling parameters), for
   * operators reading why a request went where it did. Holds no message content. Kept only for the
   * newest `explanationCapacity` decisions: a decision with many rejections is kilobytes of text.
   */
  explanation?: Decision | undefined;
}

/** A kept decision with the time it was remembered (for the gateway: when its execution ended). */
export interface KeptDecision {
  decision: RememberedDecision;
  /** Epoch milliseconds on the control plane's clock. */
  rememberedAt: number;
}

/** How long decisions are kept and how many at most. */
export interface DecisionStoreOptions {
  /** Default 30 minutes: long enough for a player's rating at the end of a scene. */
  retentionMs: number;
  /** Default 10,000: bounds memory however busy the instance is. */
  maxEntries: number;
  /** Default 500: how many of the newest decisions keep their full explanation. */
  explanationCapacity: number;
}

/** The defaults of {@link DecisionStoreOptions}. */
export const defaultDecisionStoreOptions: Readonly<DecisionStoreOptions> = Object.freeze({
  retentionMs: 30 * 60_000,
  maxEntries: 10_000,
  explanationCapacity: 500,
});

/**
 * Recent decisions by id, so that `/v1/feedback` can say which model and task a score is about and
 * operators can read why requests went where they did (`/admin/decisions`, the dashboard).
 * Bounded both ways: entries older than `retentionMs` are forgotten, and beyond `maxEntries` the
 * oldest go first. A `Map` iterates in insertion order, which is also age order, so expiry only
 * ever looks at its front.
 *
 * In memory and per instance: feedback must reach the instance that made the decision (a sticky
 * load balancer or the shared store of the multi-instance issue).
 */
export class DecisionStore {
  private readonly entries = new Map<string, KeptDecision>();
  /** Ids of the entries that still hold an explanation, oldest first. */
  private readonly explained = new Set<string>();

  private readonly options: DecisionStoreOptions;

  /** @param options overrides of {@link defaultDecisionStoreOptions}. */
  constructor(
    private readonly clock: Clock,
    options: Partial<DecisionStoreOptions> = {},
  ) {
    this.options = { ...defaultDecisionStoreOptions, ...options };
  }

  /** Keeps `decision` for the retention time (again, when it was already kept). */
  remember(decision: RememberedDecision): void {
    const now = this.clock.now();
    this.forget(decision.decisionId);
    this.entries.set(decision.decisionId, { decision, rememberedAt: now });
    if (decision.explanation !== undefined) this.explained.add(decision.decisionId);
    this.expire(now);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.forget(oldest.value);
    }
    while (this.explained.size > this.options.explanationCapacity) {
      const oldest = this.explained.values().next();
      if (oldest.done === true) break;
      this.explained.delete(oldest.value);
      const entry = this.entries.get(oldest.value);
      if (entry !== undefined) {
        const { explanation: _dropped, ...withoutExplanation } = entry.decision;
        entry.decision = withoutExplanation;
      }
    }
  }

  /** The decision, while it is kept. */
  find(decisionId: string): RememberedDecision | undefined {
    const now = this.clock.now();
    this.expire(now);
    return this.entries.get(decisionId)?.decision;
  }

  /** The decision with the time it was remembered, while it is kept. */
  findKept(decisionId: string): KeptDecision | undefined {
    this.expire(this.clock.now());
    return this.entries.get(decisionId);
  }

  /** Up to `limit` kept decisions, newest first. */
  recent(limit: number): KeptDecision[] {
    this.expire(this.clock.now());
    const newestFirst: KeptDecision[] = [];
    const kept = [...this.entries.values()];
    for (let index = kept.length - 1; index >= 0 && newestFirst.length < limit; index -= 1) {
      newestFirst.push(kept[index]!);
    }
    return newestFirst;
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
      this.forget(decisionId);
    }
  }

  private forget(decisionId: string): void {
    this.entries.delete(decisionId);
    this.explained.delete(decisionId);
  }
}
