import type { RiskLevel, TaskType, TherapeuticContext } from '../context/therapeutic-context.ts';
import type { RegistrySnapshot } from '../registry/registry-snapshot.ts';

/** Circuit status of a model as selection needs to know it. */
export type CircuitStatus = 'closed' | 'half-open' | 'open';

/**
 * What selection knows about each model's health. Models missing from the map are treated as
 * healthy (`closed`): a brand-new model must be selectable before anything has been observed.
 */
export interface HealthView {
  circuitOf(modelId: string): CircuitStatus;
}

/**
 * What is known of a (model, task type) pair's performance: from registry priors at first, from
 * observed traffic once the optimiser learns. Latencies in milliseconds.
 */
export interface ModelTaskStats {
  /** Expected quality 0..1 for the task. */
  qualityMean: number;
  /**
   * How many observations the quality estimate is worth (the prior counts as a few). Thompson
   * sampling draws wider around a mean backed by fewer observations.
   */
  qualityObservations: number;
  timeToFirstTokenP50Ms: number;
  timeToFirstTokenP95Ms: number;
  outputTokensPerSecond: number;
  /** Recent share of failed attempts, 0..1. */
  errorRate: number;
}

/** The statistics selection scores with, per model and task type. */
export interface StatsView {
  statsOf(modelId: string, taskType: TaskType): ModelTaskStats;
}

/** What the request itself demands, besides its therapeutic context. */
export interface SelectionRequest {
  /** Prompt tokens, estimated at admission (see `estimateTokens`) or measured after a context error. */
  estimatedInputTokens: number;
  /** Output tokens the caller wants room for. Unset: the policy's default. */
  maxOutputTokens?: number | undefined;
  requiresTools?: boolean | undefined;
  requiresJsonMode?: boolean | undefined;
  requiresStreaming?: boolean | undefined;
  /** A concrete model id the caller pinned; it heads the list when eligible, failover follows. */
  pinnedModelId?: string | undefined;
  /** Name of the policy to apply; unset: the policy whose `appliesTo` matches the task, else `default`. */
  policyName?: string | undefined;
  /** Models to leave out (for instance the ones that already failed this request). */
  excludeModelIds?: readonly string[] | undefined;
  /** Only models at or above this safety tier (content-filter failover). */
  minSafetyTier?: number | undefined;
}

/** Budget facts selection takes into account. */
export interface BudgetView {
  /** Micro-dollars left in the tightest budget that applies. Unset: no budget applies. */
  remainingMicros?: number | undefined;
  /** A soft budget is running low: prefer cheaper models. */
  preferCheaper?: boolean | undefined;
}

/** Everything `select()` needs. The same input and seed always give the same decision. */
export interface SelectionInput {
  context: TherapeuticContext;
  request: SelectionRequest;
  snapshot: RegistrySnapshot;
  health: HealthView;
  stats: StatsView;
  budget?: BudgetView | undefined;
  /** Seed of the random draws (Thompson sampling, exploration). */
  seed: number;
}

/** Machine-readable reasons a model was left out. */
export type RejectionCode =
  | 'disabled'
  | 'provider-disabled'
  | 'policy-denied'
  | 'excluded'
  | 'capability-tools'
  | 'capability-json'
  | 'capability-streaming'
  | 'context-window'
  | 'privacy'
  | 'safety-tier'
  | 'circuit-open'
  | 'cost-ceiling'
  | 'budget'
  | 'latency-budget';

/** A model selection left out, and why, in words a person reading a decision understands. */
export interface Rejection {
  modelId: string;
  code: RejectionCode;
  reason: string;
}

/** One eligible model with its score and why it ranks where it does. */
export interface RankedCandidate {
  modelId: string;
  /** Higher is better; comparable within one decision only. */
  score: number;
  /** The parts of the score, each 0..1 before weighting. */
  components: { quality: number; latency: number; cost: number };
  /** Worst-case cost of this request on this model, micro-dollars; undefined when unpriced. */
  estimatedCostMicros: number | undefined;
  /** Expected time to the first token, milliseconds. */
  expectedTimeToFirstTokenMs: number;
  circuit: CircuitStatus;
  /** Picked by exploration rather than by score. */
  exploratory: boolean;
  reason: string;
}

/** Sampling parameters chosen for the request. */
export interface SamplingParameters {
  temperature: number;
  topP: number;
  maxOutputTokens: number;
}

/**
 * The outcome of selection: a ranked list for the engine to walk, the sampling parameters, and an
 * explanation of every pick and every rejection. When nothing qualifies, `candidates` is empty and
 * `noEligibleModel` says why: selection never quietly relaxes a safety constraint.
 */
export interface Decision {
  policyName: string;
  taskType: TaskType;
  riskLevel: RiskLevel;
  snapshotVersion: number;
  candidates: RankedCandidate[];
  rejections: Rejection[];
  parameters: SamplingParameters;
  /** Whether this decision used exploration (never at elevated or crisis risk). */
  explored: boolean;
  /** Weights actually used after the creativity knob and budget pressure. */
  weights: { quality: number; latency: number; cost: number };
  noEligibleModel?: { reason: string } | undefined;
  /** A short human summary of the decision. */
  summary: string;
}
