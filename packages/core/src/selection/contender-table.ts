import type { CircuitStatus } from './selection-types.ts';

/** Circuit statuses as small integers, for the table's byte column. */
export const circuitCodes = { closed: 0, 'half-open': 1, open: 2 } as const satisfies Record<
  CircuitStatus,
  number
>;
const circuitNames: readonly CircuitStatus[] = ['closed', 'half-open', 'open'];

/** The status a circuit code stands for. */
export function circuitName(code: number): CircuitStatus {
  return circuitNames[code] ?? 'closed';
}

/**
 * The models that passed every hard constraint on one request, one row per model, stored column by
 * column in typed arrays. Selection fills a row for each qualifying model of a 200-model registry
 * on every request; columns reused between requests cost no allocation and no garbage collection,
 * where one object per row would.
 */
export class ContenderTable {
  /** Rows in use. */
  count = 0;
  /** Position of the row's model in the registry. */
  readonly modelIndex: Int32Array;
  /** Output allowance on this model: the request's, clamped to the model's maximum. */
  readonly outputTokens: Float64Array;
  /** Worst-case cost in micro-dollars; `NaN` when the model has no price. */
  readonly costMicros: Float64Array;
  /** Median time to the first token, reported to the engine. */
  readonly timeToFirstTokenP50Ms: Float64Array;
  /** Expected total time: p95 time to first token plus the whole allowance at the model's speed. */
  readonly totalMs: Float64Array;
  /** From the stats view, bounded to 0..1. */
  readonly qualityMean: Float64Array;
  /** From the stats view: how wide the exploration's Thompson draw is. */
  readonly qualityObservations: Float64Array;
  /** From the stats view, bounded to 0..1: the score keeps `1 − errorRate` of itself. */
  readonly errorRate: Float64Array;
  /** {@link circuitCodes} */
  readonly circuit: Uint8Array;
  /** The three parts of the score, each 0..1 (see `scoreContenders`). */
  readonly qualityComponent: Float64Array;
  /** See {@link ContenderTable.qualityComponent}. */
  readonly latencyComponent: Float64Array;
  /** See {@link ContenderTable.qualityComponent}. */
  readonly costComponent: Float64Array;
  /** Weighted components times reliability; higher ranks first. */
  readonly score: Float64Array;
  /**
   * The score again with the quality drawn from each posterior; filled only on the requests the
   * exploration budget lets a Thompson draw decide (see `scoreExplorationDraws`).
   */
  readonly explorationScore: Float64Array;

  constructor(capacity: number) {
    this.modelIndex = new Int32Array(capacity);
    this.outputTokens = new Float64Array(capacity);
    this.costMicros = new Float64Array(capacity);
    this.timeToFirstTokenP50Ms = new Float64Array(capacity);
    this.totalMs = new Float64Array(capacity);
    this.qualityMean = new Float64Array(capacity);
    this.qualityObservations = new Float64Array(capacity);
    this.errorRate = new Float64Array(capacity);
    this.circuit = new Uint8Array(capacity);
    this.qualityComponent = new Float64Array(capacity);
    this.latencyComponent = new Float64Array(capacity);
    this.costComponent = new Float64Array(capacity);
    this.score = new Float64Array(capacity);
    this.explorationScore = new Float64Array(capacity);
  }
}

/**
 * Lends out one table per registry and hands a fresh one to a nested call (a stats or health view
 * that itself runs selection), so a table is never written by two selections at once.
 */
export class ContenderTablePool {
  private idle: ContenderTable | undefined;

  constructor(private readonly capacity: number) {}

  /** An empty table, fresh when the pooled one is lent out. */
  acquire(): ContenderTable {
    const table = this.idle ?? new ContenderTable(this.capacity);
    this.idle = undefined;
    table.count = 0;
    return table;
  }

  /** Returns a table once its decision is built. */
  release(table: ContenderTable): void {
    this.idle = table;
  }
}
