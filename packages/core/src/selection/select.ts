import { isHighRisk, type TaskType } from '../context/therapeutic-context.ts';
import { worstCaseCostMicros } from '../cost/price.ts';
import type { RoutingPolicy } from '../registry/routing-policy.ts';
import { SwitchboardValidationError } from '../validation.ts';
import { sampleQualityPosterior } from './beta-sample.ts';
import {
  budgetReason,
  candidateReason,
  contextWindowReason,
  costCeilingReason,
  decisionSummary,
  describeNoEligibleModel,
  fixedReasons,
  latencyBudgetReason,
  RequestTexts,
  safetyTierReasons,
  type DecisionFacts,
  type PinOutcome,
} from './decision-text.ts';
import { deriveObjectiveWeights } from './objective-weights.ts';
import { policyGateOf, prepareRegistry, resolvePreparedPolicy, type PreparedModel } from './prepared-registry.ts';
import { samplingTemperature } from './sampling-temperature.ts';
import { createSeededRandom, Mulberry32Random, seedState, streamState, type SeededRandom } from './seeded-random.ts';
import type {
  CircuitStatus,
  Decision,
  RankedCandidate,
  Rejection,
  SelectionInput,
  SelectionRequest,
} from './selection-types.ts';

/**
 * Quality differences smaller than this are not stretched over the whole 0..1 component: two models
 * at 0.80 and 0.81 differ by 0.05 of the component, not by all of it.
 */
const qualitySpanFloor = 0.2;
/** Likewise for latency, on a log scale: a 4× spread in expected time is the smallest full span. */
const latencySpanFloor = Math.log(4);
/** Likewise for cost, on a log scale: a 4× spread in worst-case cost is the smallest full span. */
const costSpanFloor = Math.log(4);
/**
 * Added to worst-case costs before taking logarithms, so that free and nearly free models compare
 * as equals: a hundredth of a cent per request is noise next to any paid model.
 */
const costOffsetMicros = 100;
/**
 * Cost component of a model without a price: neutral-pessimistic. An unknown price may be high, so
 * it scores below the middle, but it may also be low, so not at the floor beside the dearest model.
 */
const unpricedCostComponent = 0.25;

/** One model that passed every hard constraint, with what its score is made of. */
interface Contender {
  readonly model: PreparedModel;
  readonly index: number;
  /** Output allowance on this model: the request's, clamped to the model's maximum. */
  readonly outputTokens: number;
  readonly costMicros: number | undefined;
  readonly timeToFirstTokenP50Ms: number;
  /** Expected total time at p95: first token at p95 plus the whole allowance at the model's speed. */
  readonly totalMs: number;
  readonly logTotalMs: number;
  /** Logarithm of the worst-case cost plus {@link costOffsetMicros}; 0 when unpriced. */
  readonly logCost: number;
  readonly qualityMean: number;
  readonly qualityObservations: number;
  readonly errorRate: number;
  readonly circuit: CircuitStatus;
  quality: number;
  qualityComponent: number;
  latencyComponent: number;
  costComponent: number;
  score: number;
}

function invalidRequest(field: string, message: string): SwitchboardValidationError {
  return new SwitchboardValidationError(`Invalid selection request: ${field}: ${message}`, [
    { path: [field], message },
  ]);
}

function checkRequest(request: SelectionRequest): void {
  const input = request.estimatedInputTokens;
  if (!(Number.isFinite(input) && input >= 0)) {
    throw invalidRequest('estimatedInputTokens', `expected a non-negative token count, got ${String(input)}`);
  }
  const output = request.maxOutputTokens;
  if (output !== undefined && !(Number.isInteger(output) && output > 0)) {
    throw invalidRequest('maxOutputTokens', `expected a positive whole number of tokens, got ${String(output)}`);
  }
}

/** Clamps a number from an outside statistics view into a range, treating `NaN` as the fallback. */
function clamp(value: number, low: number, high: number, fallback: number): number {
  if (Number.isNaN(value)) return fallback;
  return value < low ? low : value > high ? high : value;
}

/** `a` ranks before `b`: higher score first, then registry order, so ties break the same way every time. */
function ranksBefore(a: Contender, b: Contender): boolean {
  return a.score > b.score || (a.score === b.score && a.index < b.index);
}

/**
 * The best `limit` contenders in rank order, by insertion into a short sorted list: linear in the
 * number of contenders for the handful of places a decision lists, without sorting them all.
 */
function topContenders(contenders: readonly Contender[], limit: number, skip?: Contender): Contender[] {
  const top: Contender[] = [];
  if (limit <= 0) return top;
  for (const contender of contenders) {
    if (contender === skip) continue;
    const last = top[top.length - 1];
    if (top.length === limit && last !== undefined && !ranksBefore(contender, last)) continue;
    let position = top.length;
    while (position > 0 && ranksBefore(contender, top[position - 1]!)) position--;
    top.splice(position, 0, contender);
    if (top.length > limit) top.pop();
  }
  return top;
}

/**
 * Fills each contender's components and score. Quality is a Thompson draw from its posterior (the
 * posterior mean at elevated or crisis risk, where a lucky draw must not decide); all three parts
 * are normalised among the contenders, latency and cost on a log scale because they spread over
 * orders of magnitude; reliability multiplies the weighted sum by the share of attempts that succeed.
 */
function scoreContenders(
  contenders: readonly Contender[],
  seed: number,
  useMean: boolean,
  weights: { quality: number; latency: number; cost: number },
): void {
  const modelRandom = new Mulberry32Random(0);
  let qualityMax = -Infinity;
  let qualityMin = Infinity;
  let logTimeMin = Infinity;
  let logTimeMax = -Infinity;
  let logCostMin = Infinity;
  let logCostMax = -Infinity;
  for (const contender of contenders) {
    let quality = contender.qualityMean;
    if (!useMean) {
      // Each model draws from its own stream, so its draw does not depend on which others qualified.
      modelRandom.reseed(streamState(seed, contender.model.randomKey));
      quality = sampleQualityPosterior(modelRandom, quality, contender.qualityObservations);
    }
    contender.quality = quality;
    if (quality > qualityMax) qualityMax = quality;
    if (quality < qualityMin) qualityMin = quality;
    const logTime = contender.logTotalMs;
    if (logTime < logTimeMin) logTimeMin = logTime;
    if (logTime > logTimeMax) logTimeMax = logTime;
    if (contender.costMicros !== undefined) {
      const logCost = contender.logCost;
      if (logCost < logCostMin) logCostMin = logCost;
      if (logCost > logCostMax) logCostMax = logCost;
    }
  }
  const qualitySpan = Math.max(qualityMax - qualityMin, qualitySpanFloor);
  const latencySpan = Math.max(logTimeMax - logTimeMin, latencySpanFloor);
  const costSpan = Math.max(logCostMax - logCostMin, costSpanFloor);
  for (const contender of contenders) {
    contender.qualityComponent = 1 - (qualityMax - contender.quality) / qualitySpan;
    contender.latencyComponent = 1 - (contender.logTotalMs - logTimeMin) / latencySpan;
    contender.costComponent =
      contender.costMicros === undefined ? unpricedCostComponent : 1 - (contender.logCost - logCostMin) / costSpan;
    const weighted =
      weights.quality * contender.qualityComponent +
      weights.latency * contender.latencyComponent +
      weights.cost * contender.costComponent;
    contender.score = weighted * (1 - contender.errorRate);
  }
}

/** The ranked list and how it came about, before it is turned into candidates. */
interface Ranking {
  ordered: Contender[];
  exploratory: Contender | undefined;
  displaced: Contender | undefined;
  pinned: Contender | undefined;
}

/**
 * Orders contenders: healthy ones (closed or half-open circuit) by score, then open-circuit ones by
 * score, so that an open circuit never outranks a healthy model that qualifies, yet the engine can
 * still try open-circuit models last instead of failing when every qualifying model is open. A
 * qualifying pin heads its group; exploration (only at none or low risk, never with a pin) may put
 * one random healthy non-top model first, and the best-scored model then follows it.
 */
function rankContenders(
  contenders: readonly Contender[],
  policy: RoutingPolicy,
  pinned: Contender | undefined,
  explorationAllowed: boolean,
  random: SeededRandom,
): Ranking {
  const limit = policy.maxCandidates;
  const healthy: Contender[] = [];
  const open: Contender[] = [];
  for (const contender of contenders) (contender.circuit === 'open' ? open : healthy).push(contender);
  const pinnedHealthy = pinned !== undefined && pinned.circuit !== 'open';
  const pinnedOpen = pinned !== undefined && pinned.circuit === 'open';

  let healthyRanked = pinnedHealthy
    ? [pinned, ...topContenders(healthy, limit - 1, pinned)]
    : topContenders(healthy, limit);
  let exploratory: Contender | undefined;
  let displaced: Contender | undefined;
  if (explorationAllowed && healthy.length >= 2 && policy.explorationRate > 0) {
    if (random.next() < policy.explorationRate) {
      const best = healthyRanked[0];
      let remaining = Math.floor(random.next() * (healthy.length - 1));
      for (const contender of healthy) {
        if (contender === best) continue;
        if (remaining === 0) {
          exploratory = contender;
          break;
        }
        remaining--;
      }
      if (exploratory !== undefined) {
        displaced = best;
        const chosen = exploratory;
        healthyRanked = [chosen, ...healthyRanked.filter((contender) => contender !== chosen)].slice(0, limit);
      }
    }
  }
  const openLimit = limit - healthyRanked.length;
  const openRanked = pinnedOpen
    ? [pinned, ...topContenders(open, openLimit - 1, pinned)]
    : topContenders(open, openLimit);
  return {
    ordered: [...healthyRanked, ...openRanked].slice(0, limit),
    exploratory,
    displaced,
    pinned: pinnedHealthy || pinnedOpen ? pinned : undefined,
  };
}

/**
 * Picks the models that may answer a request, best first, with sampling parameters and a reason for
 * every pick and every rejection.
 *
 * 1. Policy: `request.policyName`, else the policy whose `appliesTo` lists the task, else
 *    `default`, else the built-in default (see `resolvePolicy`).
 * 2. Hard constraints, checked in this order, the first failure naming the model's rejection:
 *    disabled model or provider, the request's exclusions, the policy's allow and deny lists, the
 *    safety tier (the risk rule's minimum, raised by `request.minSafetyTier`), privacy (a sensitive
 *    context admits only local or zero-retention models), tools / JSON mode / streaming, the context
 *    window (prompt plus the output allowance clamped to the model's maximum), the cost ceiling and
 *    the budget (worst-case cost; an unpriced model cannot prove it fits either, so it is rejected
 *    whenever one is set), and the latency budget. Expected total time is the p95 time to first
 *    token plus the whole output allowance at the model's output speed: deliberately pessimistic,
 *    because the allowance is the only length known before the answer and the budget is a promise
 *    about the whole answer. Nothing is ever relaxed: when no model passes, `candidates` is empty
 *    and `noEligibleModel` names the constraints that emptied the list.
 * 3. Score: quality (Thompson draw from the posterior at none or low risk, posterior mean at
 *    elevated or crisis), latency and cost, each normalised among the qualifying models, weighted by
 *    the policy's weights tilted by creativity (see `deriveObjectiveWeights`), times `1 − errorRate`.
 * 4. Order: healthy models by score, then open-circuit models by score (they are not removed, so the
 *    engine can still try them last); a qualifying pin goes first in its group; with probability
 *    `explorationRate`, and only at none or low risk without a pin, a random healthy model other
 *    than the best is put first and marked exploratory. At most `maxCandidates` are listed; models
 *    that qualified but did not make the list are neither candidates nor rejections.
 * 5. Parameters: temperature interpolated by creativity and capped by the risk rule, `topP` from the
 *    policy, and the output allowance clamped to the first candidate's maximum.
 *
 * Deterministic: the same input (snapshot content, views' answers) and seed give a deep-equal
 * decision. Throws a `SwitchboardValidationError` for an unknown policy name or a malformed
 * request (negative token counts and the like), never for a request no model can serve.
 */
export function select(input: SelectionInput): Decision {
  const { context, request, snapshot, health, stats, budget } = input;
  checkRequest(request);
  const registry = prepareRegistry(snapshot);
  const policy = resolvePreparedPolicy(registry, snapshot, context.taskType, request.policyName);
  const gate = policyGateOf(registry, policy);
  const { taskType, riskLevel } = context;
  const highRisk = isHighRisk(riskLevel);
  const riskRule = policy.riskRules[riskLevel];
  const requestTier = request.minSafetyTier ?? 0;
  const tierFromRequest = requestTier > riskRule.minSafetyTier;
  const requiredTier = tierFromRequest ? requestTier : riskRule.minSafetyTier;
  const tierReasons = safetyTierReasons(requiredTier, tierFromRequest ? 'request' : riskLevel);
  const inputTokens = request.estimatedInputTokens;
  const requestedOutput = request.maxOutputTokens ?? policy.defaultMaxOutputTokens;
  const sensitive = context.privacy === 'sensitive';
  const costCeiling = context.costCeilingMicros;
  const remainingBudget = budget?.remainingMicros;
  const latencyBudget = context.latencyBudgetMs;
  const excluded = request.excludeModelIds;
  const hasExclusions = excluded !== undefined && excluded.length > 0;
  const texts = new RequestTexts(inputTokens, requestedOutput, costCeiling, remainingBudget, latencyBudget);

  const rejections: Rejection[] = [];
  const contenders: Contender[] = [];
  const models = registry.models;
  for (let index = 0; index < models.length; index++) {
    const model = models[index]!;
    const modelId = model.id;
    if (model.unavailable !== undefined) {
      rejections.push({ modelId, code: model.unavailable.code, reason: model.unavailable.reason });
      continue;
    }
    if (hasExclusions && excluded.includes(modelId)) {
      rejections.push({ modelId, code: 'excluded', reason: fixedReasons.excluded });
      continue;
    }
    const denied = gate[index];
    if (denied !== undefined) {
      rejections.push({ modelId, code: 'policy-denied', reason: denied });
      continue;
    }
    if (model.safetyTier < requiredTier) {
      rejections.push({ modelId, code: 'safety-tier', reason: tierReasons[model.safetyTier]! });
      continue;
    }
    if (sensitive && !model.privacySafe) {
      rejections.push({ modelId, code: 'privacy', reason: fixedReasons.privacy });
      continue;
    }
    if (request.requiresTools === true && !model.supportsTools) {
      rejections.push({ modelId, code: 'capability-tools', reason: fixedReasons.tools });
      continue;
    }
    if (request.requiresJsonMode === true && !model.supportsJsonMode) {
      rejections.push({ modelId, code: 'capability-json', reason: fixedReasons.jsonMode });
      continue;
    }
    if (request.requiresStreaming === true && !model.supportsStreaming) {
      rejections.push({ modelId, code: 'capability-streaming', reason: fixedReasons.streaming });
      continue;
    }
    const outputTokens = requestedOutput < model.maxOutputTokens ? requestedOutput : model.maxOutputTokens;
    if (model.contextWindow < inputTokens + outputTokens) {
      const reason = contextWindowReason(model.contextWindowText, texts, outputTokens);
      rejections.push({ modelId, code: 'context-window', reason });
      continue;
    }
    const costMicros = worstCaseCostMicros(model.price, inputTokens, outputTokens);
    if (costCeiling !== undefined && (costMicros === undefined || costMicros > costCeiling)) {
      rejections.push({ modelId, code: 'cost-ceiling', reason: costCeilingReason(costMicros, texts) });
      continue;
    }
    if (remainingBudget !== undefined && (costMicros === undefined || costMicros > remainingBudget)) {
      rejections.push({ modelId, code: 'budget', reason: budgetReason(costMicros, texts) });
      continue;
    }
    const modelStats = stats.statsOf(modelId, taskType);
    const firstTokenP95 = clamp(modelStats.timeToFirstTokenP95Ms, 1, Number.MAX_VALUE, 1);
    const tokensPerSecond = clamp(modelStats.outputTokensPerSecond, 1e-3, Number.MAX_VALUE, 1e-3);
    const totalMs = firstTokenP95 + (outputTokens * 1000) / tokensPerSecond;
    if (latencyBudget !== undefined && totalMs > latencyBudget) {
      const reason = latencyBudgetReason(totalMs, firstTokenP95, outputTokens, tokensPerSecond, texts);
      rejections.push({ modelId, code: 'latency-budget', reason });
      continue;
    }
    contenders.push({
      model,
      index,
      outputTokens,
      costMicros,
      timeToFirstTokenP50Ms: clamp(modelStats.timeToFirstTokenP50Ms, 0, Number.MAX_VALUE, firstTokenP95),
      totalMs,
      logTotalMs: Math.log(totalMs),
      logCost: costMicros === undefined ? 0 : Math.log(costMicros + costOffsetMicros),
      qualityMean: clamp(modelStats.qualityMean, 0, 1, 0),
      qualityObservations: clamp(modelStats.qualityObservations, 0, Number.MAX_VALUE, 0),
      errorRate: clamp(modelStats.errorRate, 0, 1, 1),
      circuit: health.circuitOf(modelId),
      quality: 0,
      qualityComponent: 0,
      latencyComponent: 0,
      costComponent: 0,
      score: 0,
    });
  }

  const weights = deriveObjectiveWeights(policy.weights, context.creativity, budget?.preferCheaper === true);
  const seed = seedState(input.seed);
  scoreContenders(contenders, seed, highRisk, weights);
  const random = createSeededRandom(input.seed);

  const pinnedId = request.pinnedModelId;
  const pinnedContender =
    pinnedId === undefined ? undefined : contenders.find((contender) => contender.model.id === pinnedId);
  const explorationAllowed = !highRisk && pinnedId === undefined;
  const ranking = rankContenders(contenders, policy, pinnedContender, explorationAllowed, random);

  const facts: DecisionFacts = {
    policyName: policy.name,
    taskType,
    riskLevel,
    snapshotVersion: snapshot.version,
    modelCount: models.length,
    requiredTier,
    tierFromRequest,
    texts,
    inputTokens,
    requestedOutputTokens: requestedOutput,
  };
  const candidates = buildCandidates(ranking, contenders, taskType);
  const top = ranking.ordered[0];
  const noEligibleReason = top === undefined ? describeNoEligibleModel(rejections, facts) : undefined;
  const pin = pinOutcome(pinnedId, pinnedContender, rejections, registry.indexById);
  const summary = decisionSummary(
    facts,
    {
      topModelId: top?.model.id,
      displacedModelId: ranking.displaced?.model.id,
      listedCount: ranking.ordered.length,
      eligibleCount: contenders.length,
      allOpen: contenders.length > 0 && contenders.every((contender) => contender.circuit === 'open'),
      creativity: context.creativity,
      noEligibleReason,
    },
    pin,
  );

  const decision: Decision = {
    policyName: policy.name,
    taskType,
    riskLevel,
    snapshotVersion: snapshot.version,
    candidates,
    rejections,
    parameters: {
      temperature: samplingTemperature(policy, riskRule, context.creativity),
      topP: policy.topP,
      maxOutputTokens: top?.outputTokens ?? requestedOutput,
    },
    explored: ranking.exploratory !== undefined,
    weights,
    summary,
  };
  if (noEligibleReason !== undefined) decision.noEligibleModel = { reason: noEligibleReason };
  return decision;
}

function pinOutcome(
  pinnedId: string | undefined,
  pinned: Contender | undefined,
  rejections: readonly Rejection[],
  indexById: ReadonlyMap<string, number>,
): PinOutcome {
  if (pinnedId === undefined) return { kind: 'none' };
  if (pinned !== undefined) {
    return pinned.circuit === 'open'
      ? { kind: 'circuit-open', modelId: pinnedId }
      : { kind: 'honoured', modelId: pinnedId };
  }
  if (!indexById.has(pinnedId)) return { kind: 'unknown', modelId: pinnedId };
  const rejection = rejections.find((candidate) => candidate.modelId === pinnedId);
  return { kind: 'rejected', modelId: pinnedId, reason: rejection?.reason ?? 'it did not qualify' };
}

function buildCandidates(ranking: Ranking, contenders: readonly Contender[], taskType: TaskType): RankedCandidate[] {
  if (ranking.ordered.length === 0) return [];
  let bestQuality = -Infinity;
  let fastest = Infinity;
  let cheapest = Infinity;
  for (const contender of contenders) {
    if (contender.qualityMean > bestQuality) bestQuality = contender.qualityMean;
    if (contender.totalMs < fastest) fastest = contender.totalMs;
    if (contender.costMicros !== undefined && contender.costMicros < cheapest) cheapest = contender.costMicros;
  }
  return ranking.ordered.map((contender, rank) => ({
    modelId: contender.model.id,
    score: contender.score,
    components: {
      quality: contender.qualityComponent,
      latency: contender.latencyComponent,
      cost: contender.costComponent,
    },
    estimatedCostMicros: contender.costMicros,
    expectedTimeToFirstTokenMs: contender.timeToFirstTokenP50Ms,
    circuit: contender.circuit,
    exploratory: contender === ranking.exploratory,
    reason: candidateReason(
      {
        modelId: contender.model.id,
        qualityMean: contender.qualityMean,
        totalMs: contender.totalMs,
        costMicros: contender.costMicros,
        errorRate: contender.errorRate,
        circuit: contender.circuit,
        exploratory: contender === ranking.exploratory,
        pinned: contender === ranking.pinned,
        bestQuality: contender.qualityMean === bestQuality,
        fastest: contender.totalMs === fastest,
        cheapest: contender.costMicros !== undefined && contender.costMicros === cheapest,
        rank,
      },
      taskType,
      contender.outputTokens,
    ),
  }));
}
