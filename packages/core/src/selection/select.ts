import { isHighRisk, type TaskType } from '../context/therapeutic-context.ts';
import { worstCaseCostMicros } from '../cost/price.ts';
import { SwitchboardValidationError } from '../validation.ts';
import { circuitCodes, circuitName, type ContenderTable } from './contender-table.ts';
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
import {
  policyGateOf,
  prepareRegistry,
  resolvePreparedPolicy,
  type PreparedModel,
  type PreparedRegistry,
} from './prepared-registry.ts';
import { rankContenders, type Ranking } from './rank-contenders.ts';
import { samplingTemperature } from './sampling-temperature.ts';
import { scoreContenders, scoreExplorationDraws } from './score-contenders.ts';
import { scoringScales } from './scoring-scales.ts';
import { Mulberry32Random, seedState } from './seeded-random.ts';
import type {
  Decision,
  RankedCandidate,
  Rejection,
  SelectionInput,
  SelectionRequest,
} from './selection-types.ts';

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
    throw invalidRequest(
      'maxOutputTokens',
      `expected a positive whole number of tokens, got ${String(output)}`,
    );
  }
}

/** A number from an outside statistics view, kept within bounds; `NaN` becomes the fallback. */
function bounded(value: number, low: number, high: number, fallback: number): number {
  if (value !== value) return fallback;
  return value < low ? low : value > high ? high : value;
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
 * 3. Score: quality (the posterior mean, placed among the qualifying models), latency (expected
 *    total time) and cost (worst case), both on absolute scales (see `scoreContenders` and
 *    `scoringScales`), weighted by the policy's
 *    weights tilted by creativity and budget pressure (see `deriveObjectiveWeights`), times
 *    `1 − errorRate`.
 * 4. Order: healthy models by score, then open-circuit models by score (they are not removed, so the
 *    engine can still try them last); a qualifying pin goes first in its group. Exploration is
 *    Thompson sampling within the policy's budget: with probability `explorationRate`, and only at
 *    none or low risk without a pin, the healthy model that scores best with its quality drawn
 *    from its posterior is put first, and marked exploratory when it is not the best-scored model
 *    (see `rankContenders` and `scoreExplorationDraws`). So exploration goes to models that might be
 *    best rather than evenly to models known to be poor, never exceeds the budget, and fades as the
 *    estimates firm up. At most `maxCandidates` are listed; models that qualified but did not make
 *    the list are neither candidates nor rejections.
 * 5. Parameters: temperature interpolated by creativity and capped by the risk rule, `topP` from the
 *    policy, and the output allowance clamped to the first candidate's maximum.
 *
 * Deterministic: the same input (snapshot content, views' answers) and seed give a deep-equal
 * decision. Throws a `SwitchboardValidationError` for an unknown policy name or a malformed
 * request (negative token counts and the like), never for a request no model can serve.
 */
export function select(input: SelectionInput): Decision {
  checkRequest(input.request);
  const registry = prepareRegistry(input.snapshot);
  const table = registry.contenderTables.acquire();
  try {
    return selectWith(input, registry, table);
  } finally {
    registry.contenderTables.release(table);
  }
}

function selectWith(input: SelectionInput, registry: PreparedRegistry, table: ContenderTable): Decision {
  const { context, request, snapshot, health, stats, budget } = input;
  const models = registry.models;
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
  const needsTools = request.requiresTools === true;
  const needsJsonMode = request.requiresJsonMode === true;
  const needsStreaming = request.requiresStreaming === true;
  const costCeiling = context.costCeilingMicros;
  const remainingBudget = budget?.remainingMicros;
  const latencyBudget = context.latencyBudgetMs;
  const excluded = request.excludeModelIds;
  const hasExclusions = excluded !== undefined && excluded.length > 0;
  const texts = new RequestTexts(inputTokens, requestedOutput, costCeiling, remainingBudget, latencyBudget);

  const rejections: Rejection[] = [];
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
    if (needsTools && !model.supportsTools) {
      rejections.push({ modelId, code: 'capability-tools', reason: fixedReasons.tools });
      continue;
    }
    if (needsJsonMode && !model.supportsJsonMode) {
      rejections.push({ modelId, code: 'capability-json', reason: fixedReasons.jsonMode });
      continue;
    }
    if (needsStreaming && !model.supportsStreaming) {
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
    const firstTokenP95 = bounded(modelStats.timeToFirstTokenP95Ms, 1, Number.MAX_VALUE, 1);
    const tokensPerSecond = bounded(modelStats.outputTokensPerSecond, 1e-3, Number.MAX_VALUE, 1e-3);
    const totalMs = firstTokenP95 + (outputTokens * 1000) / tokensPerSecond;
    if (latencyBudget !== undefined && totalMs > latencyBudget) {
      const reason = latencyBudgetReason(totalMs, firstTokenP95, outputTokens, tokensPerSecond, texts);
      rejections.push({ modelId, code: 'latency-budget', reason });
      continue;
    }
    const row = table.count++;
    table.modelIndex[row] = index;
    table.outputTokens[row] = outputTokens;
    table.costMicros[row] = costMicros ?? Number.NaN;
    table.timeToFirstTokenP50Ms[row] = bounded(
      modelStats.timeToFirstTokenP50Ms,
      0,
      firstTokenP95,
      firstTokenP95,
    );
    table.totalMs[row] = totalMs;
    table.qualityMean[row] = bounded(modelStats.qualityMean, 0, 1, 0);
    table.qualityObservations[row] = bounded(modelStats.qualityObservations, 0, Number.MAX_VALUE, 0);
    table.errorRate[row] = bounded(modelStats.errorRate, 0, 1, 1);
    const circuit = health.circuitOf(modelId);
    table.circuit[row] =
      circuit === 'open' ? circuitCodes.open : circuit === 'half-open' ? circuitCodes['half-open'] : 0;
  }

  const weights = deriveObjectiveWeights(policy.weights, context.creativity, budget?.preferCheaper === true);
  scoreContenders(table, weights, scoringScales(context));

  const pinnedId = request.pinnedModelId;
  let pinnedRow = -1;
  if (pinnedId !== undefined) {
    for (let row = 0; row < table.count; row++)
      if (models[table.modelIndex[row]!]!.id === pinnedId) pinnedRow = row;
  }
  const explorationAllowed = !highRisk && pinnedId === undefined;
  const random = new Mulberry32Random(seedState(input.seed));
  const ranking = rankContenders(table, policy, pinnedRow, explorationAllowed, random, () =>
    scoreExplorationDraws(table, models, seedState(input.seed), weights),
  );

  const facts: DecisionFacts = {
    policyName: policy.name,
    taskType,
    riskLevel,
    snapshotVersion: snapshot.version,
    modelCount: models.length,
    requiredTier,
    tierFromRequest,
    texts,
    requestedOutputTokens: requestedOutput,
  };
  const candidates = buildCandidates(table, models, ranking, taskType);
  const top = ranking.ordered[0];
  const noEligibleReason = top === undefined ? describeNoEligibleModel(rejections, facts) : undefined;
  let allOpen = table.count > 0;
  for (let row = 0; row < table.count && allOpen; row++) allOpen = table.circuit[row] === circuitCodes.open;
  const summary = decisionSummary(
    facts,
    {
      topModelId: candidates[0]?.modelId,
      displacedModelId: ranking.displaced >= 0 ? models[table.modelIndex[ranking.displaced]!]!.id : undefined,
      listedCount: candidates.length,
      eligibleCount: table.count,
      allOpen,
      creativity: context.creativity,
      noEligibleReason,
    },
    pinOutcome(
      pinnedId,
      pinnedRow >= 0 ? candidates.find((candidate) => candidate.modelId === pinnedId) : undefined,
      rejections,
      registry.indexById,
    ),
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
      maxOutputTokens: top === undefined ? requestedOutput : table.outputTokens[top]!,
    },
    explored: ranking.exploratory >= 0,
    weights,
    summary,
  };
  if (noEligibleReason !== undefined) decision.noEligibleModel = { reason: noEligibleReason };
  return decision;
}

function pinOutcome(
  pinnedId: string | undefined,
  pinnedCandidate: RankedCandidate | undefined,
  rejections: readonly Rejection[],
  indexById: ReadonlyMap<string, number>,
): PinOutcome {
  if (pinnedId === undefined) return { kind: 'none' };
  if (pinnedCandidate !== undefined) {
    return pinnedCandidate.circuit === 'open'
      ? { kind: 'circuit-open', modelId: pinnedId }
      : { kind: 'honoured', modelId: pinnedId };
  }
  if (!indexById.has(pinnedId)) return { kind: 'unknown', modelId: pinnedId };
  const rejection = rejections.find((candidate) => candidate.modelId === pinnedId);
  return { kind: 'rejected', modelId: pinnedId, reason: rejection?.reason ?? 'it did not qualify' };
}

function buildCandidates(
  table: ContenderTable,
  models: readonly PreparedModel[],
  ranking: Ranking,
  taskType: TaskType,
): RankedCandidate[] {
  if (ranking.ordered.length === 0) return [];
  let bestQuality = -Infinity;
  let fastest = Infinity;
  let cheapest = Infinity;
  for (let row = 0; row < table.count; row++) {
    if (table.qualityMean[row]! > bestQuality) bestQuality = table.qualityMean[row]!;
    if (table.totalMs[row]! < fastest) fastest = table.totalMs[row]!;
    if (table.costMicros[row]! < cheapest) cheapest = table.costMicros[row]!;
  }
  return ranking.ordered.map((row, rank) => {
    const modelId = models[table.modelIndex[row]!]!.id;
    const cost = table.costMicros[row]!;
    const costMicros = cost === cost ? cost : undefined;
    const circuit = circuitName(table.circuit[row]!);
    const qualityMean = table.qualityMean[row]!;
    const totalMs = table.totalMs[row]!;
    const errorRate = table.errorRate[row]!;
    return {
      modelId,
      score: table.score[row]!,
      components: {
        quality: table.qualityComponent[row]!,
        latency: table.latencyComponent[row]!,
        cost: table.costComponent[row]!,
      },
      estimatedCostMicros: costMicros,
      expectedTimeToFirstTokenMs: table.timeToFirstTokenP50Ms[row]!,
      circuit,
      exploratory: row === ranking.exploratory,
      reason: candidateReason(
        {
          qualityMean,
          totalMs,
          costMicros,
          errorRate,
          circuit,
          exploratory: row === ranking.exploratory,
          pinned: row === ranking.pinned,
          bestQuality: qualityMean === bestQuality,
          fastest: totalMs === fastest,
          cheapest: costMicros !== undefined && costMicros === cheapest,
          rank,
        },
        taskType,
        table.outputTokens[row]!,
      ),
    };
  });
}
