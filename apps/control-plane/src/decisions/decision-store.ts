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
 * oldest go first.
 *
 * Every `/v1/select` and gateway request remembers a decision, so {@link DecisionStore.remember}
 * costs O(1) amortised however full the store is. Age order is kept in queues of their own rather
 * than by iterating the `Map` from its front: a `Map` whose oldest entries keep being deleted holds
 * thousands of deleted slots there until it is rehashed, and every new iterator walks over them.
 * A queue slot whose entry was forgotten, or remembered again since, is stale and skipped when it
 * reaches the front; a queue holding far more stale slots than live ones is rebuilt.
 *
 * In memory and per instance: feedback must reach the instance that made the decision (a sticky
 * load balancer or the shared store of the multi-instance issue).
 */
export class DecisionStore {
  /** The kept decisions by id, in insertion (= age) order: a decision remembered again moves last. */
  private readonly entries = new Map<string, KeptDecision>();
  /** Every kept entry, oldest first, with stale slots (see the class comment). */
  private readonly byAge = new KeptQueue();
  /** The kept entries that still hold an explanation, oldest first, with stale slots. */
  private readonly explained = new KeptQueue();
  /** How many kept entries still hold their explanation. */
  private explainedCount = 0;

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
    const previous = this.entries.get(decision.decisionId);
    if (previous !== undefined) this.forget(previous);
    const kept: KeptDecision = { decision, rememberedAt: now };
    this.entries.set(decision.decisionId, kept);
    this.byAge.push(kept);
    if (decision.explanation !== undefined) {
      this.explained.push(kept);
      this.explainedCount += 1;
    }
    // Expiry and the capacity bound both forget from the front, so one pass serves both.
    for (;;) {
      const oldest = this.oldestLive(this.byAge);
      if (oldest === undefined) break;
      const expired = now - oldest.rememberedAt > this.options.retentionMs;
      if (!expired && this.entries.size <= this.options.maxEntries) break;
      this.forget(oldest);
    }
    while (this.explainedCount > this.options.explanationCapacity) {
      const oldest = this.oldestLive(this.explained);
      if (oldest === undefined) break;
      this.explained.shift();
      oldest.decision = withoutExplanation(oldest.decision);
      this.explainedCount -= 1;
    }
    this.compact();
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
    for (;;) {
      const oldest = this.oldestLive(this.byAge);
      if (oldest === undefined || now - oldest.rememberedAt <= this.options.retentionMs) return;
      this.forget(oldest);
    }
  }

  /**
   * The front of `queue` once its stale slots are dropped: an entry still kept under its id (the
   * same object, not one remembered again since). It stays in the queue; the caller decides.
   */
  private oldestLive(queue: KeptQueue): KeptDecision | undefined {
    for (;;) {
      const front = queue.front();
      if (front === undefined || this.isLive(front)) return front;
      queue.shift();
    }
  }

  private isLive(kept: KeptDecision): boolean {
    return this.entries.get(kept.decision.decisionId) === kept;
  }

  /** Forgets a live entry; its queue slots turn stale. */
  private forget(kept: KeptDecision): void {
    this.entries.delete(kept.decision.decisionId);
    if (kept.decision.explanation !== undefined) this.explainedCount -= 1;
  }

  /**
   * Rebuilds a queue that is mostly stale slots (the same decision remembered again and again
   * never lets them reach the front), so memory stays bounded by the live entries. The `Map`'s
   * order is age order, so the rebuilt queues are too. O(n) after at least n stale slots.
   */
  private compact(): void {
    const slack = 1024;
    if (this.byAge.length > 2 * this.entries.size + slack) {
      this.byAge.replace([...this.entries.values()]);
    }
    if (this.explained.length > 2 * this.explainedCount + slack) {
      this.explained.replace(
        [...this.entries.values()].filter((kept) => kept.decision.explanation !== undefined),
      );
    }
  }
}

/** The decision without its explanation, as a new object: callers may still hold the one they passed. */
function withoutExplanation(decision: RememberedDecision): RememberedDecision {
  // Spelled out rather than an object rest, which V8 runs on a slow generic path. Typed so that a
  // new required field of RememberedDecision does not compile here until it is copied too.
  const copy: Required<Omit<RememberedDecision, 'explanation'>> = {
    decisionId: decision.decisionId,
    modelId: decision.modelId,
    taskType: decision.taskType,
    riskLevel: decision.riskLevel,
    policyName: decision.policyName,
    snapshotVersion: decision.snapshotVersion,
    source: decision.source,
  };
  return copy;
}

/**
 * A first-in-first-out queue in an array with a moving head; the consumed front is cut off once it
 * is at least half the array, so pushing and shifting are O(1) amortised.
 */
class KeptQueue {
  private slots: KeptDecision[] = [];
  private head = 0;

  /** Slots in the queue, stale ones included. */
  get length(): number {
    return this.slots.length - this.head;
  }

  push(kept: KeptDecision): void {
    this.slots.push(kept);
  }

  front(): KeptDecision | undefined {
    return this.head < this.slots.length ? this.slots[this.head] : undefined;
  }

  shift(): void {
    if (this.head >= this.slots.length) return;
    this.head += 1;
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
  }

  replace(slots: KeptDecision[]): void {
    this.slots = slots;
    this.head = 0;
  }
}
