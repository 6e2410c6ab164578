/**
 * The routing strategies the benchmark compares, the utility it scores them by, and the oracle.
 * Each strategy chooses one model per request from the models that pass the hard constraints, and
 * observes the outcome of its own pick only.
 */
import type { TaskType } from '../src/context/therapeutic-context.ts';
import { worstCaseCostMicros } from '../src/cost/price.ts';
import {
  createOptimizerState,
  recordOutcome,
  recordQuality,
  statsView,
  type OptimizerState,
} from '../src/optimization/index.ts';
import {
  allHealthy,
  createSeededRandom,
  deriveObjectiveWeights,
  saturatingComponent,
  scoringScales,
  select,
  type ModelTaskStats,
  type SeededRandom,
  type StatsView,
} from '../src/selection/index.ts';
import type { RoutingWorld, SimulatedOutcome, SimulatedRequest } from './routing-world.ts';

/** One pick. */
export interface Choice {
  modelId: string;
  /** The pick was exploration (selection's exploration budget), not the best score. */
  explored: boolean;
}

/** A routing strategy under test. */
export interface Strategy {
  readonly name: string;
  /** Whether it is a baseline the optimiser must beat (the oracle and diagnostics are not). */
  readonly baseline: boolean;
  choose(request: SimulatedRequest): Choice;
  observe(request: SimulatedRequest, modelId: string, outcome: SimulatedOutcome): void;
}

/** Loss of a failed attempt, in utility: a whole good answer lost, and as much again for the wait. */
export const failurePenalty = 1;

/** Quality differences below this are not stretched over the whole quality component (as in selection). */
const qualitySpanFloor = 0.2;

/** Expected utility of every eligible model for one request, under the truth at that moment. */
export interface UtilityRow {
  modelId: string;
  utility: number;
  quality: number;
}

/**
 * The utility of answering `request` with each eligible model, in expectation under the true
 * parameters: (1 − failure rate) × value − failure rate × {@link failurePenalty}, with
 *
 *   value = w_q · quality component + w_l · speed component + w_c · cost component
 *
 * where the weights are the request's policy weights tilted by its creativity
 * (`deriveObjectiveWeights`: what the product says it wants for this request), and the components
 * measure the true expected outcome of each model: quality against the other eligible models, as
 * 1 − (best true quality − its quality) ÷ max(spread, 0.2); speed and cost on selection's absolute
 * scales (`scoringScales`, `saturatingComponent`), as reference ÷ (reference + its expected answer
 * time) with the time the mean time to first token plus the actual answer length at its true
 * speed, and reference ÷ (reference + its expected cost). These are the scales the policy weights
 * are written against, so the weights keep their meaning; unlike selection's score, they use true
 * values and the actual answer length, not estimates, the p95 and the worst case.
 */
export function utilities(world: RoutingWorld, request: SimulatedRequest): UtilityRow[] {
  const taskType = request.context.taskType;
  const rows = request.eligible.map((modelId) => {
    const truth = world.truthOf(modelId, taskType, request.index);
    return {
      modelId,
      truth,
      totalMs: world.expectedTotalMs(modelId, request),
      costMicros: world.expectedCostMicros(modelId, request),
    };
  });
  let bestQuality = -Infinity;
  let worstQuality = Infinity;
  for (const row of rows) {
    bestQuality = Math.max(bestQuality, row.truth.quality);
    worstQuality = Math.min(worstQuality, row.truth.quality);
  }
  const span = Math.max(bestQuality - worstQuality, qualitySpanFloor);
  const weights = deriveObjectiveWeights(request.policy.weights, request.context.creativity, false);
  const { costReferenceMicros, latencyReferenceMs } = scoringScales(request.context);
  return rows.map((row) => {
    const value =
      weights.quality * (1 - (bestQuality - row.truth.quality) / span) +
      weights.latency * saturatingComponent(row.totalMs, latencyReferenceMs) +
      weights.cost * saturatingComponent(row.costMicros, costReferenceMicros);
    const failure = row.truth.failureRate;
    return {
      modelId: row.modelId,
      utility: (1 - failure) * value - failure * failurePenalty,
      quality: row.truth.quality,
    };
  });
}

function best<T>(items: readonly T[], score: (item: T) => number): T {
  if (items.length === 0) throw new RangeError('Nothing to choose from.');
  let chosen = items[0] as T;
  let chosenScore = score(chosen);
  for (const item of items) {
    const itemScore = score(item);
    if (itemScore > chosenScore) {
      chosen = item;
      chosenScore = itemScore;
    }
  }
  return chosen;
}

/** Knows the true parameters and picks the model of highest expected utility. */
export function oracleStrategy(world: RoutingWorld): Strategy {
  return {
    name: 'oracle',
    baseline: false,
    choose: (request) => ({
      modelId: best(utilities(world, request), (row) => row.utility).modelId,
      explored: false,
    }),
    observe: () => undefined,
  };
}

/** Always the eligible model of highest true quality for the task (it knows the truth, the change included). */
export function bestQualityStrategy(world: RoutingWorld): Strategy {
  return {
    name: 'best quality',
    baseline: true,
    choose: (request) => ({
      modelId: best(
        request.eligible,
        (modelId) => world.truthOf(modelId, request.context.taskType, request.index).quality,
      ),
      explored: false,
    }),
    observe: () => undefined,
  };
}

/** Uniformly random among eligible models. */
export function randomStrategy(seed: number): Strategy {
  const random: SeededRandom = createSeededRandom(seed);
  return {
    name: 'random',
    baseline: true,
    choose: (request) => ({
      modelId: request.eligible[Math.floor(random.next() * request.eligible.length)]!,
      explored: false,
    }),
    observe: () => undefined,
  };
}

/** Cycles through the eligible models with one counter. */
export function roundRobinStrategy(): Strategy {
  let counter = 0;
  return {
    name: 'round-robin',
    baseline: true,
    choose: (request) => ({
      modelId: request.eligible[counter++ % request.eligible.length]!,
      explored: false,
    }),
    observe: () => undefined,
  };
}

/** The lowest worst-case cost by the registry's prices; a model without a price counts as dearest. */
export function cheapestStrategy(world: RoutingWorld): Strategy {
  const models = new Map(world.snapshot.models.map((model) => [model.id, model]));
  return {
    name: 'cheapest',
    baseline: true,
    choose: (request) => ({
      modelId: best(request.eligible, (modelId) => {
        const model = models.get(modelId)!;
        const allowance = Math.min(request.policy.defaultMaxOutputTokens, model.maxOutputTokens);
        const cost = worstCaseCostMicros(model.price, request.request.estimatedInputTokens, allowance);
        return cost === undefined ? -Infinity : -cost;
      }),
      explored: false,
    }),
    observe: () => undefined,
  };
}

/**
 * LiteLLM's latency-based routing: per model (deployment, not per task), the average of its last
 * ten latencies per output token; a model with no measurement yet counts as 0 and is tried first;
 * a failure is recorded as a 1,000-second latency, as LiteLLM records a timeout.
 */
export function lowestLatencyStrategy(): Strategy {
  const samples = new Map<string, number[]>();
  const average = (modelId: string): number => {
    const list = samples.get(modelId);
    if (list === undefined || list.length === 0) return 0;
    return list.reduce((sum, value) => sum + value, 0) / list.length;
  };
  return {
    name: 'lowest latency (LiteLLM)',
    baseline: true,
    choose: (request) => ({
      modelId: best(request.eligible, (modelId) => -average(modelId)),
      explored: false,
    }),
    observe: (request, modelId, outcome) => {
      const list = samples.get(modelId) ?? [];
      const tokens = outcome.ok ? Math.max(outcome.outputTokens, 1) : Math.max(request.outputTokens, 1);
      list.push((outcome.ok ? outcome.totalMs : 1_000_000) / tokens);
      if (list.length > 10) list.shift();
      samples.set(modelId, list);
    },
  };
}

function selectChoice(request: SimulatedRequest, world: RoutingWorld, stats: StatsView): Choice {
  const decision = select({
    context: request.context,
    request: request.request,
    snapshot: world.snapshot,
    health: allHealthy,
    stats,
    seed: request.index,
  });
  const first = decision.candidates[0];
  if (first === undefined) throw new Error(`No candidate for request ${request.index}: ${decision.summary}`);
  return { modelId: first.modelId, explored: decision.explored };
}

/**
 * The statistical optimiser: the real `select()` on the optimiser's `statsView` every request,
 * with the policy's real exploration, learning from its own picks' outcomes and player signals.
 */
export function optimiserStrategy(
  world: RoutingWorld,
  state: OptimizerState = createOptimizerState(),
): Strategy & {
  state: OptimizerState;
} {
  return {
    name: 'optimiser',
    baseline: false,
    state,
    choose: (request) => selectChoice(request, world, statsView(state, world.snapshot, request.at)),
    observe: (request, modelId, outcome) => {
      const taskType = request.context.taskType;
      const now = request.at + Math.round(outcome.totalMs);
      recordOutcome(state, {
        modelId,
        taskType,
        now,
        ok: outcome.ok,
        errorKind: outcome.errorKind,
        timeToFirstTokenMs: outcome.timeToFirstTokenMs,
        totalMs: outcome.ok ? outcome.totalMs : undefined,
        outputTokens: outcome.ok ? outcome.outputTokens : undefined,
      });
      if (outcome.signal !== undefined)
        recordQuality(state, { modelId, taskType, now, signal: outcome.signal });
    },
  };
}

/** A stats view that tells selection the truth: what the optimiser would converge to with perfect learning. */
function trueStatsView(world: RoutingWorld, index: number): StatsView {
  return {
    statsOf(modelId: string, taskType: TaskType): ModelTaskStats {
      const truth = world.truthOf(modelId, taskType, index);
      return {
        qualityMean: truth.quality,
        qualityObservations: 1e6,
        timeToFirstTokenP50Ms: truth.timeToFirstTokenMedianMs,
        timeToFirstTokenP95Ms: truth.timeToFirstTokenMedianMs * Math.exp(1.645 * truth.timeToFirstTokenSigma),
        outputTokensPerSecond: truth.tokensPerSecond,
        errorRate: truth.failureRate,
      };
    },
  };
}

/**
 * Diagnostic, not a baseline: the same `select()` and exploration, told the true parameters. The
 * gap between it and the oracle is what selection's scoring and exploration cost; the gap between
 * it and the optimiser is what learning costs.
 */
export function informedSelectStrategy(world: RoutingWorld): Strategy {
  return {
    name: 'select + true stats',
    baseline: false,
    choose: (request) => selectChoice(request, world, trueStatsView(world, request.index)),
    observe: () => undefined,
  };
}
