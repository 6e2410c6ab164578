/**
 * The simulated world of the routing benchmark: hidden true parameters per (model, task type), the
 * traffic of a therapeutic text adventure, and what happens when a model is called. Strategies see
 * only what a real router would see (the registry and the outcomes of their own picks); the truth
 * here is used to draw outcomes, to run the oracle, and to score every pick.
 *
 * Everything is drawn from seeded generators, and the outcome of calling model m for request i
 * comes from a generator keyed by (seed, i, m) alone: every strategy that sends a request to the
 * same model sees the same outcome (common random numbers), so differences between strategies are
 * differences of choice, not of luck.
 */
import {
  parseTherapeuticContext,
  type RiskLevel,
  type TaskType,
  type TherapeuticContext,
} from '../src/context/therapeutic-context.ts';
import type { ModelSpec } from '../src/registry/model-spec.ts';
import type { RegistrySnapshot } from '../src/registry/registry-snapshot.ts';
import type { RoutingPolicy } from '../src/registry/routing-policy.ts';
import type { QualitySignal, SafetyScreenOutcome } from '../src/optimization/quality-signal.ts';
import {
  createSeededRandom,
  resolvePolicy,
  sampleBeta,
  select,
  statsFromPriors,
  allHealthy,
  type SeededRandom,
  type SelectionRequest,
} from '../src/selection/index.ts';

/** The hidden truth of one model on one task type at one moment. */
export interface TrueParameters {
  /** Mean quality of its answers, 0..1, on the scale of explicit feedback. */
  quality: number;
  /** Time to first token is log-normal: this median and log-space standard deviation. */
  timeToFirstTokenMedianMs: number;
  timeToFirstTokenSigma: number;
  /** Output speed while generating. */
  tokensPerSecond: number;
  /** Share of attempts that fail. */
  failureRate: number;
}

/** What the studio is really billed per million tokens, micro-dollars. */
export interface TruePrice {
  inputPerMillionMicros: number;
  outputPerMillionMicros: number;
}

/** One request of the simulated traffic. */
export interface SimulatedRequest {
  index: number;
  /** Simulated epoch milliseconds when it arrives. */
  at: number;
  context: TherapeuticContext;
  request: SelectionRequest;
  policy: RoutingPolicy;
  /** Models that pass every hard constraint (safety tier, privacy, window...), registry order. */
  eligible: string[];
  /** How long the answer turns out to be, whichever model writes it (capped by its maximum). */
  outputTokens: number;
  /** For screening requests: whether the screened text really carries risk. */
  screenedTextIsRisky: boolean;
}

/** What calling a model for a request did. */
export interface SimulatedOutcome {
  ok: boolean;
  errorKind: 'server' | 'timeout' | 'overloaded' | undefined;
  /** Present for answered attempts and for failures after the first token. */
  timeToFirstTokenMs: number | undefined;
  /** Whole time of the attempt; for a failure, the time until it failed. */
  totalMs: number;
  outputTokens: number;
  costMicros: number;
  /** The player's or screen's reaction, for answered attempts. */
  signal: QualitySignal | undefined;
}

/** Shares of traffic per task type: dialogue and narration dominate, therapy and screening are frequent. */
export const taskMix: ReadonlyArray<readonly [TaskType, number]> = [
  ['dialogue_generation', 0.26],
  ['narrative_generation', 0.18],
  ['choice_generation', 0.14],
  ['therapeutic_response', 0.14],
  ['safety_screening', 0.12],
  ['summarization', 0.05],
  ['world_building', 0.04],
  ['character_development', 0.03],
  ['consequence_analysis', 0.02],
  ['general_chat', 0.02],
];

const riskMix: Readonly<Record<'therapy' | 'other', ReadonlyArray<readonly [RiskLevel, number]>>> = {
  therapy: [
    ['none', 0.35],
    ['low', 0.35],
    ['elevated', 0.22],
    ['crisis', 0.08],
  ],
  other: [
    ['none', 0.72],
    ['low', 0.2],
    ['elevated', 0.06],
    ['crisis', 0.02],
  ],
};

/** The creativity a game asks for per task type, before per-request variation. */
const baseCreativity: Readonly<Record<TaskType, number>> = {
  narrative_generation: 0.75,
  world_building: 0.8,
  character_development: 0.7,
  dialogue_generation: 0.55,
  choice_generation: 0.4,
  therapeutic_response: 0.35,
  consequence_analysis: 0.4,
  safety_screening: 0.1,
  summarization: 0.2,
  general_chat: 0.5,
};

/** Median prompt size per task type (history, character sheets, the scene so far). */
const medianInputTokens: Readonly<Record<TaskType, number>> = {
  narrative_generation: 3_000,
  world_building: 2_000,
  character_development: 2_000,
  dialogue_generation: 2_500,
  choice_generation: 1_500,
  therapeutic_response: 2_500,
  consequence_analysis: 2_000,
  safety_screening: 800,
  summarization: 6_000,
  general_chat: 1_500,
};

/** Share of screened texts that really carry risk, by the player's risk level. */
const riskyTextShare: Readonly<Record<RiskLevel, number>> = {
  none: 0.03,
  low: 0.1,
  elevated: 0.4,
  crisis: 0.85,
};

/**
 * Where the registry's priors are wrong, on purpose: priors are guesses, and a router that only
 * trusts them leaves value on the table. Values are the true quality.
 */
const qualitySurprises: ReadonlyArray<readonly [string, TaskType, number]> = [
  ['openai/gpt-4o-mini', 'dialogue_generation', 0.8],
  ['anthropic/claude-haiku-4-5', 'narrative_generation', 0.86],
  ['anthropic/claude-haiku-4-5', 'dialogue_generation', 0.86],
  ['sim/creative-large', 'therapeutic_response', 0.62],
  ['openai/gpt-4o', 'therapeutic_response', 0.8],
  ['sim/fast-small', 'choice_generation', 0.7],
];

/** Failure rates that differ from the usual 1.5 %. */
const failureRates: Readonly<Record<string, number>> = {
  'openrouter/meta-llama/llama-3.3-70b-instruct': 0.06,
  'ollama/llama3.2': 0.03,
  'sim/local': 0.02,
};

/** The true price of the model the registry has no price for (in the range hosted Llama 3.3 70B sells at). */
const hiddenPrices: Readonly<Record<string, TruePrice>> = {
  'openrouter/meta-llama/llama-3.3-70b-instruct': {
    inputPerMillionMicros: 230_000,
    outputPerMillionMicros: 400_000,
  },
};

/**
 * How a model changes half-way, behind the same name: a provider quietly moves it to a smaller,
 * busier deployment (worse), or ships a new release (better).
 */
export interface ModelChange {
  modelId: string;
  /** Request index from which the model is changed. */
  fromRequest: number;
  /** Added to its true quality on every task (negative when it gets worse), within 0.05..1. */
  qualityChange: number;
  /** Its time to first token is multiplied by this. */
  latencyFactor: number;
  /** Added to its failure rate. */
  extraFailureRate: number;
}

/** What a world is built from. */
export interface WorldOptions {
  snapshot: RegistrySnapshot;
  requests: number;
  seed: number;
  /** Mean gap between requests, milliseconds. */
  meanGapMs: number;
  change: ModelChange;
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

function pickWeighted<T>(random: SeededRandom, items: ReadonlyArray<readonly [T, number]>): T {
  let draw = random.next();
  for (const [item, weight] of items) {
    draw -= weight;
    if (draw < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** A 32-bit mix of several integers, for per-(request, model) generators. */
function mixKey(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part & 0xffff), 0x01000193);
    hash = Math.imul(hash ^ (part >>> 16), 0x01000193);
  }
  return hash >>> 0;
}

/** The simulated world. */
export class RoutingWorld {
  readonly snapshot: RegistrySnapshot;
  readonly requests: SimulatedRequest[];
  readonly change: ModelChange;
  private readonly seed: number;
  private readonly models: Map<string, ModelSpec>;
  private readonly modelIndex: Map<string, number>;
  private readonly truth = new Map<string, TrueParameters>();

  constructor(options: WorldOptions) {
    this.snapshot = options.snapshot;
    this.seed = options.seed;
    this.change = options.change;
    this.models = new Map(options.snapshot.models.map((model) => [model.id, model]));
    this.modelIndex = new Map(options.snapshot.models.map((model, index) => [model.id, index]));
    this.drawTruth(createSeededRandom(options.seed));
    this.requests = this.drawTraffic(createSeededRandom(options.seed + 1), options);
  }

  private drawTruth(random: SeededRandom): void {
    const surprises = new Map(
      qualitySurprises.map(([model, task, quality]) => [`${model}|${task}`, quality]),
    );
    for (const model of this.snapshot.models) {
      // One latency character per model (deployment), shared by its tasks.
      const latencyScale = 0.75 + 0.6 * random.next();
      const spreadScale = 0.85 + 0.3 * random.next();
      const speedScale = 0.8 + 0.4 * random.next();
      const priors = model.latencyPriors;
      for (const [taskType] of taskMix) {
        const prior = model.qualityPriors.byTask[taskType] ?? model.qualityPriors.default;
        const quality =
          surprises.get(`${model.id}|${taskType}`) ?? clamp(prior + 0.05 * random.nextNormal(), 0.3, 0.97);
        this.truth.set(`${model.id}|${taskType}`, {
          quality,
          timeToFirstTokenMedianMs: priors.timeToFirstTokenP50Ms * latencyScale,
          timeToFirstTokenSigma:
            (Math.log(priors.timeToFirstTokenP95Ms / priors.timeToFirstTokenP50Ms) / 1.645) * spreadScale,
          tokensPerSecond: priors.outputTokensPerSecond * speedScale,
          failureRate: failureRates[model.id] ?? 0.015,
        });
      }
    }
  }

  private drawTraffic(random: SeededRandom, options: WorldOptions): SimulatedRequest[] {
    const requests: SimulatedRequest[] = [];
    const priors = statsFromPriors(this.snapshot);
    let at = 1_750_000_000_000;
    for (let index = 0; index < options.requests; index++) {
      at += Math.round(-Math.log(1 - random.next()) * options.meanGapMs);
      const taskType = pickWeighted(random, taskMix);
      const therapy = taskType === 'therapeutic_response';
      const riskLevel = pickWeighted(random, riskMix[therapy ? 'therapy' : 'other']);
      const highRisk = riskLevel === 'elevated' || riskLevel === 'crisis';
      const creativity =
        clamp(baseCreativity[taskType] + 0.4 * (random.next() - 0.5), 0, 1) * (highRisk ? 0.6 : 1);
      const context = parseTherapeuticContext({
        taskType,
        riskLevel,
        creativity: Math.round(creativity * 100) / 100,
        privacy: random.next() < (therapy ? 0.15 : 0.05) ? 'sensitive' : 'standard',
        emotionalIntensity: highRisk ? 0.8 : 0.3,
      });
      const inputTokens = Math.round(
        clamp(medianInputTokens[taskType] * Math.exp(0.5 * random.nextNormal()), 100, 60_000),
      );
      const request: SelectionRequest = { estimatedInputTokens: inputTokens };
      const policy = resolvePolicy(this.snapshot, taskType);
      const allowance = policy.defaultMaxOutputTokens;
      const outputTokens = Math.round(
        clamp(0.45 * allowance * Math.exp(0.4 * random.nextNormal()), 16, allowance),
      );
      // Eligibility does not depend on statistics here (no latency budgets), so priors tell it.
      const decision = select({
        context,
        request,
        snapshot: this.snapshot,
        health: allHealthy,
        stats: priors,
        seed: 0,
      });
      const rejected = new Set(decision.rejections.map((rejection) => rejection.modelId));
      const eligible = this.snapshot.models.map((model) => model.id).filter((id) => !rejected.has(id));
      requests.push({
        index,
        at,
        context,
        request,
        policy,
        eligible,
        outputTokens,
        screenedTextIsRisky: random.next() < riskyTextShare[riskLevel],
      });
    }
    return requests;
  }

  /** The truth for a model on a task when request `index` is served (the change included). */
  truthOf(modelId: string, taskType: TaskType, index: number): TrueParameters {
    const base = this.truth.get(`${modelId}|${taskType}`);
    if (base === undefined) throw new RangeError(`No truth for ${modelId} on ${taskType}.`);
    const change = this.change;
    if (modelId !== change.modelId || index < change.fromRequest) return base;
    return {
      quality: clamp(base.quality + change.qualityChange, 0.05, 1),
      timeToFirstTokenMedianMs: base.timeToFirstTokenMedianMs * change.latencyFactor,
      timeToFirstTokenSigma: base.timeToFirstTokenSigma,
      tokensPerSecond: base.tokensPerSecond,
      failureRate: base.failureRate + change.extraFailureRate,
    };
  }

  /** The true price of a model. */
  priceOf(modelId: string): TruePrice {
    const hidden = hiddenPrices[modelId];
    if (hidden !== undefined) return hidden;
    const price = this.models.get(modelId)?.price;
    if (price === null || price === undefined) throw new RangeError(`No true price for ${modelId}.`);
    return price;
  }

  /** The answer length on a model: the request's, capped by the model's maximum output. */
  outputTokensOn(modelId: string, request: SimulatedRequest): number {
    return Math.min(request.outputTokens, this.models.get(modelId)!.maxOutputTokens);
  }

  /** Expected cost of an answer, micro-dollars. */
  expectedCostMicros(modelId: string, request: SimulatedRequest): number {
    const price = this.priceOf(modelId);
    return (
      (request.request.estimatedInputTokens * price.inputPerMillionMicros +
        this.outputTokensOn(modelId, request) * price.outputPerMillionMicros) /
      1_000_000
    );
  }

  /** Expected whole time of an answer: mean time to first token plus generation. */
  expectedTotalMs(modelId: string, request: SimulatedRequest): number {
    const truth = this.truthOf(modelId, request.context.taskType, request.index);
    const meanFirstToken = truth.timeToFirstTokenMedianMs * Math.exp(0.5 * truth.timeToFirstTokenSigma ** 2);
    return meanFirstToken + (this.outputTokensOn(modelId, request) * 1000) / truth.tokensPerSecond;
  }

  /** What calling `modelId` for `request` does; the same for every strategy that makes that call. */
  call(modelId: string, request: SimulatedRequest): SimulatedOutcome {
    const random = createSeededRandom(mixKey(this.seed, request.index, this.modelIndex.get(modelId)!));
    const truth = this.truthOf(modelId, request.context.taskType, request.index);
    const firstToken =
      truth.timeToFirstTokenMedianMs * Math.exp(truth.timeToFirstTokenSigma * random.nextNormal());
    const speed = truth.tokensPerSecond * Math.exp(0.15 * random.nextNormal());
    const outputTokens = this.outputTokensOn(modelId, request);
    const failed = random.next() < truth.failureRate;
    const kindDraw = random.next();
    const qualityDraws = [random.next(), random.next(), random.next()] as const;
    if (failed) {
      const errorKind = kindDraw < 0.4 ? 'server' : kindDraw < 0.7 ? 'overloaded' : 'timeout';
      const timeout = request.policy.timeouts.firstTokenMs;
      const totalMs = errorKind === 'timeout' ? timeout : Math.min(firstToken, timeout) * 0.5;
      return {
        ok: false,
        errorKind,
        timeToFirstTokenMs: undefined,
        totalMs,
        outputTokens: 0,
        costMicros: 0,
        signal: undefined,
      };
    }
    const totalMs = firstToken + (outputTokens * 1000) / speed;
    const price = this.priceOf(modelId);
    const costMicros = Math.ceil(
      (request.request.estimatedInputTokens * price.inputPerMillionMicros +
        outputTokens * price.outputPerMillionMicros) /
        1_000_000,
    );
    return {
      ok: true,
      errorKind: undefined,
      timeToFirstTokenMs: firstToken,
      totalMs,
      outputTokens,
      costMicros,
      signal: this.reaction(truth.quality, request, qualityDraws, random),
    };
  }

  /**
   * How the player (or, for a screen, the later truth) reacts to an answer of true mean quality
   * `quality`. Players rate one answer in eight explicitly; otherwise they ask for a rewrite with
   * probability 0.45 (1 − q)², leave the scene with probability 0.02 + 0.08 (1 − q), and carry on
   * otherwise. This behaviour is the simulator's own, not the optimiser's mapping: the mapping's
   * documented assumption (a third of weak answers rewritten) is only roughly like it, as in life.
   * A screen catches real risk with probability q and raises a false alarm with 0.1 (1 − q).
   */
  private reaction(
    quality: number,
    request: SimulatedRequest,
    draws: readonly [number, number, number],
    random: SeededRandom,
  ): QualitySignal {
    if (request.context.taskType === 'safety_screening') {
      let outcome: SafetyScreenOutcome;
      if (request.screenedTextIsRisky) outcome = draws[0] < quality ? 'flagged-correctly' : 'missed';
      else outcome = draws[0] < 0.1 * (1 - quality) ? 'false-alarm' : 'passed';
      return { type: 'safety-screen', outcome };
    }
    if (draws[0] < 0.125) {
      const score = sampleBeta(random, Math.max(quality * 6, 0.05), Math.max((1 - quality) * 6, 0.05));
      return { type: 'feedback', score: Math.round(score * 100) / 100 };
    }
    if (draws[1] < 0.45 * (1 - quality) ** 2) return { type: 'regenerated' };
    if (draws[2] < 0.02 + 0.08 * (1 - quality)) return { type: 'abandoned' };
    return { type: 'continued' };
  }
}
