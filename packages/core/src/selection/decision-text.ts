import type { RiskLevel, TaskType } from '../context/therapeutic-context.ts';
import { formatCount, formatDollars, formatDuration, formatPercent } from './selection-format.ts';
import type { CircuitStatus, Rejection, RejectionCode } from './selection-types.ts';

/**
 * The sentences of a decision. Rejection reasons are needed for every rejected model on every
 * request, so they are assembled from pieces formatted once per snapshot, once per request, or
 * kept in small caches; only the cost and latency reasons format a number per model.
 */

/** Reasons for capability and privacy rejections: the same words for every model. */
export const fixedReasons = {
  excluded: 'excluded by the request (it already failed, or the caller left it out)',
  tools: 'does not support tool calls, which the request needs',
  jsonMode: 'has no JSON mode, which the request needs',
  streaming: 'cannot stream, which the request needs',
  privacy: 'neither runs locally nor keeps zero retention, which a sensitive context requires',
} as const;

const tierReasonCache = new Map<string, readonly string[]>();

/**
 * Safety-tier rejection reasons indexed by the model's tier, for one required tier and where the
 * requirement came from (the risk level's rule, or the request's own minimum).
 */
export function safetyTierReasons(requiredTier: number, source: RiskLevel | 'request'): readonly string[] {
  const key = `${requiredTier}|${source}`;
  let reasons = tierReasonCache.get(key);
  if (reasons === undefined) {
    const requirement =
      source === 'request'
        ? `the tier ${requiredTier} the request requires`
        : `the tier ${requiredTier} required at ${source} risk`;
    reasons = [0, 1, 2, 3].map((tier) => `safety tier ${tier} is below ${requirement}`);
    tierReasonCache.set(key, reasons);
  }
  return reasons;
}

/** Numbers of one request, formatted at most once each and only when a sentence needs them. */
export class RequestTexts {
  private promptText: string | undefined;
  private outputText: string | undefined;
  private ceilingText: string | undefined;
  private budgetText: string | undefined;
  private latencyText: string | undefined;

  constructor(
    private readonly inputTokens: number,
    private readonly requestedOutputTokens: number,
    private readonly costCeilingMicros: number | undefined,
    private readonly remainingBudgetMicros: number | undefined,
    private readonly latencyBudgetMs: number | undefined,
  ) {}

  /** `9,000` */
  prompt(): string {
    return (this.promptText ??= formatCount(this.inputTokens));
  }

  /** The output allowance, formatted; reuses the request-wide text when the model did not clamp it. */
  output(outputTokens: number): string {
    if (outputTokens !== this.requestedOutputTokens) return formatCount(outputTokens);
    return (this.outputText ??= formatCount(outputTokens));
  }

  /** `$0.01` */
  ceiling(): string {
    return (this.ceilingText ??= formatDollars(this.costCeilingMicros ?? 0));
  }

  /** `$0.05` */
  budget(): string {
    return (this.budgetText ??= formatDollars(Math.max(0, this.remainingBudgetMicros ?? 0)));
  }

  /** `3.0 s` */
  latency(): string {
    return (this.latencyText ??= formatDuration(this.latencyBudgetMs ?? 0));
  }
}

/** "context window 8,192 tokens cannot hold 9,000 prompt + 1,024 output tokens" */
export function contextWindowReason(windowText: string, texts: RequestTexts, outputTokens: number): string {
  return `context window ${windowText} tokens cannot hold ${texts.prompt()} prompt + ${texts.output(outputTokens)} output tokens`;
}

/** Why a model's worst-case cost breaks the request's cost ceiling, or why an unpriced one cannot fit. */
export function costCeilingReason(costMicros: number | undefined, texts: RequestTexts): string {
  if (costMicros === undefined) {
    return `has no price, so it cannot be shown to stay within the ${texts.ceiling()} cost ceiling`;
  }
  return `worst case ${formatDollars(costMicros)} exceeds the ${texts.ceiling()} cost ceiling`;
}

/** Why a model's worst-case cost does not fit the remaining budget, or why an unpriced one cannot. */
export function budgetReason(costMicros: number | undefined, texts: RequestTexts): string {
  if (costMicros === undefined) {
    return `has no price, so it cannot be shown to fit the ${texts.budget()} left in the budget`;
  }
  return `worst case ${formatDollars(costMicros)} exceeds the ${texts.budget()} left in the budget`;
}

/** Why a model's expected total time breaks the latency budget, with the estimate spelled out. */
export function latencyBudgetReason(
  totalMs: number,
  firstTokenP95Ms: number,
  outputTokens: number,
  tokensPerSecond: number,
  texts: RequestTexts,
): string {
  return (
    `expected ${formatDuration(totalMs)} (first token ${formatDuration(firstTokenP95Ms)} at p95 + ` +
    `${texts.output(outputTokens)} tokens at ${Math.round(tokensPerSecond)} tokens/s) exceeds the ` +
    `${texts.latency()} latency budget`
  );
}

/** What selection was asked, for explanations of a decision as a whole. */
export interface DecisionFacts {
  /** The policy applied. */
  policyName: string;
  /** The context's task type. */
  taskType: TaskType;
  /** The context's risk level. */
  riskLevel: RiskLevel;
  /** Named when the registry turns out empty. */
  snapshotVersion: number;
  /** Models in the registry, qualifying or not. */
  modelCount: number;
  /** The safety tier models needed. */
  requiredTier: number;
  /** The tier came from `request.minSafetyTier` rather than the risk rule. */
  tierFromRequest: boolean;
  /** The request's formatted numbers. */
  texts: RequestTexts;
  /** The output allowance before clamping to any model. */
  requestedOutputTokens: number;
}

/** "at crisis risk", or "with no risk flagged" for `none`. */
function riskPhrase(riskLevel: RiskLevel): string {
  return riskLevel === 'none' ? 'with no risk flagged' : `at ${riskLevel} risk`;
}

/** The order in which constraints are named when explaining why nothing qualified. */
const codeOrder: readonly RejectionCode[] = [
  'safety-tier',
  'privacy',
  'disabled',
  'provider-disabled',
  'policy-denied',
  'excluded',
  'capability-tools',
  'capability-json',
  'capability-streaming',
  'context-window',
  'cost-ceiling',
  'budget',
  'latency-budget',
  'circuit-open',
];

function describeCode(code: RejectionCode, count: number, facts: DecisionFacts): string {
  const models = count === 1 ? '1 model' : `${count} models`;
  const are = count === 1 ? 'is' : 'are';
  switch (code) {
    case 'safety-tier':
      return facts.tierFromRequest
        ? `${models} below the safety tier ${facts.requiredTier} the request requires`
        : `${models} below safety tier ${facts.requiredTier}, the minimum at ${facts.riskLevel} risk`;
    case 'privacy':
      return `${models} neither local nor zero-retention, as the sensitive context requires`;
    case 'disabled':
      return `${models} disabled`;
    case 'provider-disabled':
      return `${models} with a disabled provider`;
    case 'policy-denied':
      return `${models} not allowed by routing policy "${facts.policyName}"`;
    case 'excluded':
      return `${models} excluded by the request`;
    case 'capability-tools':
      return `${models} without tool calls`;
    case 'capability-json':
      return `${models} without JSON mode`;
    case 'capability-streaming':
      return `${models} without streaming`;
    case 'context-window':
      return `${models} with a context window too small for ${facts.texts.prompt()} prompt + ${facts.texts.output(facts.requestedOutputTokens)} output tokens`;
    case 'cost-ceiling':
      return `${models} over the ${facts.texts.ceiling()} cost ceiling or unpriced`;
    case 'budget':
      return `${models} over the ${facts.texts.budget()} left in the budget or unpriced`;
    case 'latency-budget':
      return `${models} expected slower than the ${facts.texts.latency()} latency budget`;
    case 'circuit-open':
      return `${models} ${are} behind an open circuit`;
  }
}

/** What the caller can do about the constraints that emptied the list. */
function adviceFor(codes: ReadonlySet<RejectionCode>): string {
  const protective = codes.has('safety-tier') || codes.has('privacy');
  const adjustable =
    codes.has('cost-ceiling') ||
    codes.has('budget') ||
    codes.has('latency-budget') ||
    codes.has('context-window') ||
    codes.has('excluded');
  const parts = ['Enable or add a model that meets these constraints'];
  if (adjustable)
    parts.push('or relax the request’s own limits (cost ceiling, budget, latency budget, prompt size)');
  let advice = `${parts.join(', ')}.`;
  if (protective) advice += ' Safety and privacy requirements are never relaxed.';
  return advice;
}

/**
 * Why no model qualified, naming each constraint that eliminated models and how many it took out,
 * most decisive first: "No model qualifies for therapeutic_response at crisis risk under routing
 * policy "default": 5 models below safety tier 3, the minimum at crisis risk; 2 models disabled."
 */
export function describeNoEligibleModel(rejections: readonly Rejection[], facts: DecisionFacts): string {
  const heading = `No model qualifies for ${facts.taskType} ${riskPhrase(facts.riskLevel)} under routing policy "${facts.policyName}"`;
  if (facts.modelCount === 0) {
    return `${heading}: registry version ${facts.snapshotVersion} has no models. Add models to the registry.`;
  }
  const counts = new Map<RejectionCode, number>();
  for (const rejection of rejections) counts.set(rejection.code, (counts.get(rejection.code) ?? 0) + 1);
  const parts = codeOrder
    .filter((code) => counts.has(code))
    .map((code) => describeCode(code, counts.get(code) ?? 0, facts));
  return `${heading}: ${parts.join('; ')}. ${adviceFor(new Set(counts.keys()))}`;
}

/** What a candidate's reason says about it. */
export interface CandidateFacts {
  /** Expected quality for the task (the mean, not the Thompson draw). */
  qualityMean: number;
  /** Expected total time at p95, milliseconds. */
  totalMs: number;
  /** Worst-case cost; undefined when unpriced. */
  costMicros: number | undefined;
  /** Recent share of failed attempts; named when it is 5 % or more. */
  errorRate: number;
  /** Named when open or half-open. */
  circuit: CircuitStatus;
  /** Put first by exploration. */
  exploratory: boolean;
  /** The request pinned this model. */
  pinned: boolean;
  /** Highest expected quality among the qualifying models. */
  bestQuality: boolean;
  /** Shortest expected time among the qualifying models. */
  fastest: boolean;
  /** Lowest worst-case cost among the qualifying models. */
  cheapest: boolean;
  /** Position in the list, 0 first. */
  rank: number;
}

/**
 * "best quality for dialogue_generation (0.86) within 1.2 s p95 at ≤ $0.0031", followed by what
 * else moved the model: exploration, a pin, an open or half-open circuit, a high error rate, or a
 * missing price.
 */
export function candidateReason(candidate: CandidateFacts, taskType: TaskType, outputTokens: number): string {
  let lead: string;
  if (candidate.exploratory) lead = 'exploration pick (at random, to keep learning)';
  else if (candidate.pinned) lead = 'pinned by the request';
  else if (candidate.bestQuality) lead = 'best quality';
  else if (candidate.fastest) lead = 'fastest';
  else if (candidate.cheapest) lead = 'cheapest';
  else lead = candidate.rank === 0 ? 'best overall balance' : 'failover';
  const price =
    candidate.costMicros === undefined
      ? 'at an unknown price (scored as if expensive)'
      : `at ≤ ${formatDollars(candidate.costMicros)}`;
  let reason =
    `${lead} for ${taskType} (quality ${candidate.qualityMean.toFixed(2)}) within ` +
    `${formatDuration(candidate.totalMs)} p95 for ${formatCount(outputTokens)} output tokens ${price}`;
  if (candidate.circuit === 'open') reason += '; circuit open, so tried only after every healthy candidate';
  else if (candidate.circuit === 'half-open') reason += '; circuit half-open (recovering, on probation)';
  if (candidate.errorRate >= 0.05)
    reason += `; recent error rate ${formatPercent(candidate.errorRate)} lowers its score`;
  return reason;
}

/** How a request's pin fared. */
export type PinOutcome =
  | { kind: 'none' }
  | { kind: 'honoured'; modelId: string }
  | { kind: 'circuit-open'; modelId: string }
  | { kind: 'rejected'; modelId: string; reason: string }
  | { kind: 'unknown'; modelId: string };

/** The shape of a ranked list, for the one-sentence summary. */
export interface RankingFacts {
  /** The first candidate; undefined when nothing qualified. */
  topModelId: string | undefined;
  /** The best-scored model an exploratory pick displaced to second place. */
  displacedModelId: string | undefined;
  /** Candidates listed. */
  listedCount: number;
  /** Models that passed every hard constraint. */
  eligibleCount: number;
  /** Every qualifying model's circuit is open. */
  allOpen: boolean;
  /** The context's creativity, echoed in the sentence. */
  creativity: number;
  /** Set when nothing qualified: the summary then is this explanation. */
  noEligibleReason: string | undefined;
}

function pinClause(pin: PinOutcome, snapshotVersion: number): string {
  switch (pin.kind) {
    case 'none':
    case 'honoured':
      return '';
    case 'circuit-open':
      return `Pinned model ${pin.modelId} qualifies but its circuit is open, so healthy models go first; `;
    case 'rejected':
      return `Pinned model ${pin.modelId} could not be honoured (${pin.reason}); `;
    case 'unknown':
      return `Pinned model ${pin.modelId} could not be honoured (registry version ${snapshotVersion} has no such model); `;
  }
}

/** One readable sentence saying what was picked, under which policy, and what else shaped the list. */
export function decisionSummary(facts: DecisionFacts, ranking: RankingFacts, pin: PinOutcome): string {
  const clause = pinClause(pin, facts.snapshotVersion);
  if (ranking.noEligibleReason !== undefined || ranking.topModelId === undefined) {
    return `${clause}${ranking.noEligibleReason ?? 'No model qualifies.'}`;
  }
  const failover = ranking.listedCount - 1;
  const tail =
    `from ${ranking.eligibleCount} qualifying of ${facts.modelCount} models; ` +
    (failover === 0
      ? 'no failover candidate follows'
      : `${failover} failover candidate${failover === 1 ? '' : 's'} follow${failover === 1 ? 's' : ''}`) +
    (ranking.allOpen
      ? ', and every qualifying model’s circuit is open, so they are tried in score order'
      : '') +
    '.';
  const setting = `for ${facts.taskType} ${riskPhrase(facts.riskLevel)} (creativity ${ranking.creativity.toFixed(2)})`;
  if (pin.kind === 'honoured') {
    return `Pinned model ${pin.modelId} heads the list ${setting}, ${tail}`;
  }
  const policy = `routing policy "${facts.policyName}"`;
  if (ranking.displacedModelId !== undefined) {
    const start = clause === '' ? `Routing policy "${facts.policyName}"` : policy;
    return `${clause}${start} explored ${ranking.topModelId} ahead of the best-scored ${ranking.displacedModelId} ${setting}, ${tail}`;
  }
  const start = clause === '' ? `Routing policy "${facts.policyName}"` : policy;
  return `${clause}${start} picked ${ranking.topModelId} ${setting}, ${tail}`;
}
