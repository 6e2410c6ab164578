import { taskTypes, type TaskType } from '../context/therapeutic-context.ts';
import { createLatencySketch, type LatencySketch } from './latency-sketch.ts';

/**
 * How fast each kind of evidence fades, in milliseconds of the clock passed to the updates. A
 * half-life is a trade-off: longer gives steadier estimates, shorter re-learns sooner when a model
 * changes. In time rather than in requests, so that an estimate means the same at night as at peak.
 */
export interface OptimizerHalfLives {
  /**
   * Quality evidence (feedback, game signals, screen outcomes). Default one hour: a model's quality
   * changes rarely (a provider swaps the model behind a name) and its signals are weak, so the
   * estimate needs a long memory to be steady.
   */
  qualityMs: number;
  /**
   * The short memory quality evidence is also kept with, to notice a change (see `statsView`):
   * default 10 minutes. When what the last minutes say is clearly at odds with the long memory,
   * the model changed, and the long memory's old evidence is set aside instead of being waited out
   * for hours.
   */
  recentQualityMs: number;
  /** Latency sketches and output speed. Default 5 minutes: provider load shifts within minutes. */
  latencyMs: number;
  /** Attempts and errors. Default 5 minutes: an error rate must react within minutes. */
  reliabilityMs: number;
}

/** The half-lives used unless told otherwise. */
export const defaultHalfLives: Readonly<OptimizerHalfLives> = Object.freeze({
  qualityMs: 60 * 60_000,
  recentQualityMs: 10 * 60_000,
  latencyMs: 5 * 60_000,
  reliabilityMs: 5 * 60_000,
});

/** Options of {@link createOptimizerState}. */
export interface OptimizerOptions {
  /** Any half-life left out takes its default. */
  halfLives?: Partial<OptimizerHalfLives> | undefined;
}

/** Discounted quality evidence, as of `updatedAt`. Priors are not in it: they come from the registry. */
export interface QualityCounts {
  /** Epoch milliseconds the counts are decayed to. */
  updatedAt: number;
  /** Discounted good evidence: the posterior's α less the prior's. */
  successes: number;
  /** Discounted bad evidence: the posterior's β less the prior's. */
  failures: number;
  /** The same good evidence discounted with the short half-life `recentQualityMs`, to notice a change. */
  recentSuccesses: number;
  /** The same bad evidence discounted with the short half-life `recentQualityMs`. */
  recentFailures: number;
  /**
   * Σ w², every signal's discounted weight w (its successes plus failures) squared: what tells how
   * precise the mean is. The mean of signals weighing w each varies as p (1 − p) Σ w² ÷ (Σ w)², not
   * as p (1 − p) ÷ Σ w: a quarter-weight `continued` is one player's reaction, not a quarter of an
   * independent observation, and a `missed` screen weighing three is one event, not three. Each
   * term decays with the square of its weight's factor (half the half-life), so the sum stays
   * order-free and mergeable like the counts.
   */
  squaredWeights: number;
  /** The same, for the short memory (`recentQualityMs`). */
  recentSquaredWeights: number;
}

/** Discounted attempts and errors, as of `updatedAt`. */
export interface ReliabilityCounts {
  /** Epoch milliseconds the counts are decayed to. */
  updatedAt: number;
  /** Attempts that speak about the model (see `recordOutcome`). */
  attempts: number;
  /** Of those, the failed ones. */
  errors: number;
}

/** Discounted latency evidence, as of `updatedAt`. */
export interface LatencyCounts {
  /** Epoch milliseconds the weights are decayed to. */
  updatedAt: number;
  /** Time to the first token of every attempt that produced one. */
  firstToken: LatencySketch;
  /** Whole time of every answered attempt. */
  total: LatencySketch;
  /** Output tokens of answers whose generation time is known. */
  outputTokens: number;
  /** Their generation time (total less time to first token). Speed is tokens ÷ time: a ratio of sums, so long answers weigh more. */
  generationMs: number;
  /** How many answers the two sums above hold. */
  throughputSamples: number;
}

/** Everything learned about one model on one task type. */
export interface OptimizerCell {
  readonly modelId: string;
  readonly taskType: TaskType;
  readonly quality: QualityCounts;
  readonly reliability: ReliabilityCounts;
  readonly latency: LatencyCounts;
}

/** Version of the state's layout; a serialised state of another version is refused. */
export const optimizerStateVersion = 1;

/**
 * What the optimiser has learned from traffic, per (model, task type). Holds observations only:
 * registry priors are added when the state is read (`statsView`), so merging states never counts a
 * prior twice and a changed prior applies at once.
 *
 * Mutable on purpose: `recordOutcome` and `recordQuality` change it in place, because the control
 * plane ingests thousands of events a second. Reading (`statsView`, `observedStats`), merging and
 * serialising never change it. Share one state between threads of control only with that in mind.
 */
export interface OptimizerState {
  readonly version: typeof optimizerStateVersion;
  readonly halfLives: Readonly<OptimizerHalfLives>;
  /** Cells by task type, then model id. */
  readonly cells: Map<TaskType, Map<string, OptimizerCell>>;
}

function checkHalfLife(name: keyof OptimizerHalfLives, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `Half-life ${name} must be a positive number of milliseconds, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * The half-lives with defaults filled in, checked. `recentQualityMs` defaults to 10 minutes, or to
 * `qualityMs` when that is shorter.
 */
export function resolveHalfLives(
  halfLives: { [Name in keyof OptimizerHalfLives]?: number | undefined } | undefined,
): OptimizerHalfLives {
  const qualityMs = checkHalfLife('qualityMs', halfLives?.qualityMs ?? defaultHalfLives.qualityMs);
  const recentQualityMs = checkHalfLife(
    'recentQualityMs',
    halfLives?.recentQualityMs ?? Math.min(defaultHalfLives.recentQualityMs, qualityMs),
  );
  if (recentQualityMs > qualityMs) {
    throw new RangeError(
      `Half-life recentQualityMs (${recentQualityMs}) must not exceed qualityMs (${qualityMs}): it is the ` +
        `short memory that notices a change against the long one.`,
    );
  }
  return {
    qualityMs,
    recentQualityMs,
    latencyMs: checkHalfLife('latencyMs', halfLives?.latencyMs ?? defaultHalfLives.latencyMs),
    reliabilityMs: checkHalfLife('reliabilityMs', halfLives?.reliabilityMs ?? defaultHalfLives.reliabilityMs),
  };
}

/**
 * An optimiser state that has observed nothing: every pair reads as its registry priors until
 * traffic arrives. Throws a `RangeError` for a half-life that is not a positive number.
 */
export function createOptimizerState(options: OptimizerOptions = {}): OptimizerState {
  return emptyState(resolveHalfLives(options.halfLives));
}

/** An empty state with the given, already checked, half-lives. */
export function emptyState(halfLives: OptimizerHalfLives): OptimizerState {
  return { version: optimizerStateVersion, halfLives: Object.freeze({ ...halfLives }), cells: new Map() };
}

/** A cell with no evidence. */
export function emptyCell(modelId: string, taskType: TaskType): OptimizerCell {
  return {
    modelId,
    taskType,
    quality: {
      updatedAt: 0,
      successes: 0,
      failures: 0,
      recentSuccesses: 0,
      recentFailures: 0,
      squaredWeights: 0,
      recentSquaredWeights: 0,
    },
    reliability: { updatedAt: 0, attempts: 0, errors: 0 },
    latency: {
      updatedAt: 0,
      firstToken: createLatencySketch(),
      total: createLatencySketch(),
      outputTokens: 0,
      generationMs: 0,
      throughputSamples: 0,
    },
  };
}

/** The cell of a pair, or `undefined` when nothing was recorded for it. */
export function findCell(
  state: OptimizerState,
  modelId: string,
  taskType: TaskType,
): OptimizerCell | undefined {
  return state.cells.get(taskType)?.get(modelId);
}

/** The cell of a pair, created empty when missing. */
export function cellFor(state: OptimizerState, modelId: string, taskType: TaskType): OptimizerCell {
  let byModel = state.cells.get(taskType);
  if (byModel === undefined) {
    byModel = new Map();
    state.cells.set(taskType, byModel);
  }
  let cell = byModel.get(modelId);
  if (cell === undefined) {
    cell = emptyCell(modelId, taskType);
    byModel.set(modelId, cell);
  }
  return cell;
}

/** Every cell, task by task. */
export function* allCells(state: OptimizerState): Generator<OptimizerCell> {
  for (const byModel of state.cells.values()) yield* byModel.values();
}

const knownTaskTypes: ReadonlySet<string> = new Set(taskTypes);

/** Throws a `RangeError` naming what is wrong with an event's keys and time. */
export function checkEventKeys(modelId: unknown, taskType: unknown, now: unknown): void {
  if (typeof modelId !== 'string' || modelId.length === 0) {
    throw new RangeError(`An optimiser event needs the registry id of the model, got ${String(modelId)}.`);
  }
  if (typeof taskType !== 'string' || !knownTaskTypes.has(taskType)) {
    throw new RangeError(
      `Unknown task type "${String(taskType)}" for model "${modelId}": expected one of ${taskTypes.join(', ')}.`,
    );
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new RangeError(
      `An optimiser event needs the time it happened as epoch milliseconds from the injected clock, got ${String(now)}.`,
    );
  }
}
