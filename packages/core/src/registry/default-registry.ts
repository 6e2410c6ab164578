import type { RiskLevel, TaskType } from '../context/therapeutic-context.ts';
import type { ModelPrice, ModelSpecInput, ProviderSpecInput } from './model-spec.ts';
import type { RiskRule, RoutingPolicyInput } from './routing-policy.ts';
import {
  buildRegistrySnapshot,
  registryContentSchema,
  type RegistryContent,
  type RegistryContentInput,
  type RegistrySnapshot,
} from './registry-snapshot.ts';

/** The LiteLLM price list the real models' prices below were copied from (shared/reference). */
export const defaultCatalogPriceVersion = 'litellm-2026-07-24';

/** Price list of the simulated models: invented, but in the range of real ones, so demo costs are visible. */
const simulatedPriceVersion = 'sim-demo-1';

/** Models on the studio's own hardware cost nothing per token. */
const localPriceVersion = 'local-free';

const providers: ProviderSpecInput[] = [
  { id: 'sim', kind: 'sim' },
  { id: 'openai', kind: 'openai-compatible', preset: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
  { id: 'anthropic', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
  { id: 'openrouter', kind: 'openai-compatible', preset: 'openrouter', apiKeyEnv: 'OPENROUTER_API_KEY' },
  { id: 'ollama', kind: 'openai-compatible', preset: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
];

const simulatedPrice = (inputPerMillionMicros: number, outputPerMillionMicros: number): ModelPrice => ({
  inputPerMillionMicros,
  outputPerMillionMicros,
  version: simulatedPriceVersion,
});

const freeLocalPrice: ModelPrice = {
  inputPerMillionMicros: 0,
  outputPerMillionMicros: 0,
  version: localPriceVersion,
};

/**
 * Four simulated models with deliberately different strengths, so that the embedded demo shows
 * selection making real trade-offs: a fast cheap generalist, a slow creative writer, a careful
 * safety-tuned model and a free local one that lacks a system role (exercising continuity's
 * system-prompt folding). Together they answer every task at every risk level.
 */
const simulatedModels: ModelSpecInput[] = [
  {
    id: 'sim/fast-small',
    provider: 'sim',
    providerModel: 'fast-small',
    displayName: 'Simulated fast small model',
    contextWindow: 32_000,
    maxOutputTokens: 4_096,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    price: simulatedPrice(150_000, 600_000),
    safetyTier: 1,
    qualityPriors: {
      default: 0.62,
      byTask: {
        safety_screening: 0.8,
        choice_generation: 0.78,
        summarization: 0.8,
        consequence_analysis: 0.62,
        general_chat: 0.66,
        dialogue_generation: 0.55,
        character_development: 0.5,
        therapeutic_response: 0.5,
        narrative_generation: 0.42,
        world_building: 0.42,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 150, timeToFirstTokenP95Ms: 400, outputTokensPerSecond: 120 },
    tags: ['simulated', 'fast', 'cheap'],
  },
  {
    id: 'sim/creative-large',
    provider: 'sim',
    providerModel: 'creative-large',
    displayName: 'Simulated large creative model',
    contextWindow: 200_000,
    maxOutputTokens: 8_192,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: true },
    price: simulatedPrice(3_000_000, 15_000_000),
    safetyTier: 2,
    qualityPriors: {
      default: 0.8,
      byTask: {
        narrative_generation: 0.93,
        world_building: 0.92,
        character_development: 0.91,
        dialogue_generation: 0.9,
        consequence_analysis: 0.84,
        choice_generation: 0.8,
        general_chat: 0.82,
        summarization: 0.78,
        therapeutic_response: 0.74,
        safety_screening: 0.7,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 700, timeToFirstTokenP95Ms: 1_800, outputTokensPerSecond: 40 },
    tags: ['simulated', 'creative'],
  },
  {
    id: 'sim/safety-tuned',
    provider: 'sim',
    providerModel: 'safety-tuned',
    displayName: 'Simulated safety-tuned model',
    contextWindow: 64_000,
    maxOutputTokens: 4_096,
    capabilities: { streaming: true, tools: false, jsonMode: true, systemRole: true, assistantPrefill: true },
    price: simulatedPrice(800_000, 3_200_000),
    privacy: { local: false, zeroRetention: true },
    safetyTier: 3,
    qualityPriors: {
      default: 0.72,
      byTask: {
        therapeutic_response: 0.93,
        safety_screening: 0.88,
        consequence_analysis: 0.8,
        general_chat: 0.76,
        summarization: 0.75,
        dialogue_generation: 0.72,
        choice_generation: 0.72,
        character_development: 0.7,
        narrative_generation: 0.64,
        world_building: 0.6,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 350, timeToFirstTokenP95Ms: 900, outputTokensPerSecond: 70 },
    // Stays coherent at the low temperatures that high-risk rules impose.
    tags: ['simulated', 'safety-tuned', 'low-temperature-stable'],
  },
  {
    id: 'sim/local',
    provider: 'sim',
    providerModel: 'local',
    displayName: 'Simulated local model',
    contextWindow: 8_192,
    maxOutputTokens: 2_048,
    capabilities: {
      streaming: true,
      tools: false,
      jsonMode: false,
      systemRole: false,
      assistantPrefill: false,
    },
    price: freeLocalPrice,
    privacy: { local: true, zeroRetention: false },
    safetyTier: 2,
    qualityPriors: {
      default: 0.6,
      byTask: {
        safety_screening: 0.66,
        summarization: 0.65,
        choice_generation: 0.62,
        general_chat: 0.62,
        therapeutic_response: 0.6,
        dialogue_generation: 0.6,
        narrative_generation: 0.58,
        character_development: 0.58,
        consequence_analysis: 0.56,
        world_building: 0.55,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 300, timeToFirstTokenP95Ms: 800, outputTokensPerSecond: 50 },
    tags: ['simulated', 'local'],
  },
];

/**
 * Well-known real models. Windows, output limits, capability flags and prices are copied by hand
 * from the LiteLLM catalog in shared/reference (prices converted from dollars per token to integer
 * micro-dollars per million tokens); quality and latency priors are starting guesses that the
 * optimiser replaces with observations.
 *
 * Safety tiers, and why:
 * - Tier 3: hosted frontier models (GPT-4o, Claude Sonnet 4.5, Claude Haiku 4.5). They are trained
 *   and evaluated for self-harm and crisis conversations (safe-messaging, referral to help) and sit
 *   behind their provider's moderation. Haiku 4.5 shares Anthropic's safety training and scores
 *   close to Sonnet on it, so its size is no reason to rank it lower.
 * - Tier 2: GPT-4o mini. Same training family, but the small model follows nuanced guidance in
 *   long emotional conversations less reliably, so it may serve elevated risk but not crisis.
 * - Tier 1: Llama 3.3 70B through OpenRouter and Llama 3.2 on Ollama. Open weights with Meta's
 *   safety tuning, but no moderation in front of them: OpenRouter forwards to whichever host
 *   serves the model, and a local runtime screens nothing.
 */
const realModels: ModelSpecInput[] = [
  {
    id: 'openai/gpt-4o',
    provider: 'openai',
    providerModel: 'gpt-4o',
    displayName: 'GPT-4o',
    // LiteLLM `gpt-4o`: max_input_tokens 128,000 (the shared window), max_output_tokens 16,384.
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    // $2.50 / $10.00 per million, cached input $1.25.
    price: {
      inputPerMillionMicros: 2_500_000,
      outputPerMillionMicros: 10_000_000,
      cacheReadPerMillionMicros: 1_250_000,
      version: defaultCatalogPriceVersion,
    },
    safetyTier: 3,
    qualityPriors: {
      default: 0.85,
      byTask: {
        narrative_generation: 0.86,
        world_building: 0.86,
        therapeutic_response: 0.86,
        safety_screening: 0.85,
        summarization: 0.86,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 450, timeToFirstTokenP95Ms: 1_400, outputTokensPerSecond: 80 },
    tags: ['hosted', 'frontier'],
  },
  {
    id: 'openai/gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini',
    displayName: 'GPT-4o mini',
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    // $0.15 / $0.60 per million, cached input $0.075.
    price: {
      inputPerMillionMicros: 150_000,
      outputPerMillionMicros: 600_000,
      cacheReadPerMillionMicros: 75_000,
      version: defaultCatalogPriceVersion,
    },
    safetyTier: 2,
    qualityPriors: {
      default: 0.72,
      byTask: {
        narrative_generation: 0.66,
        world_building: 0.66,
        therapeutic_response: 0.68,
        safety_screening: 0.78,
        choice_generation: 0.78,
        summarization: 0.8,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 350, timeToFirstTokenP95Ms: 1_000, outputTokensPerSecond: 100 },
    tags: ['hosted', 'cheap'],
  },
  {
    id: 'anthropic/claude-sonnet-4-5',
    provider: 'anthropic',
    providerModel: 'claude-sonnet-4-5',
    displayName: 'Claude Sonnet 4.5',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    // Anthropic takes the system prompt as a top-level field, which its adapter maps: systemRole holds.
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: true },
    // $3 / $15 per million, cache read $0.30, cache write (5-minute) $3.75.
    price: {
      inputPerMillionMicros: 3_000_000,
      outputPerMillionMicros: 15_000_000,
      cacheReadPerMillionMicros: 300_000,
      cacheWritePerMillionMicros: 3_750_000,
      version: defaultCatalogPriceVersion,
    },
    safetyTier: 3,
    qualityPriors: {
      default: 0.88,
      byTask: {
        narrative_generation: 0.9,
        character_development: 0.9,
        dialogue_generation: 0.9,
        therapeutic_response: 0.9,
        safety_screening: 0.86,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 900, timeToFirstTokenP95Ms: 2_500, outputTokensPerSecond: 60 },
    tags: ['hosted', 'frontier'],
  },
  {
    id: 'anthropic/claude-haiku-4-5',
    provider: 'anthropic',
    providerModel: 'claude-haiku-4-5',
    displayName: 'Claude Haiku 4.5',
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: true },
    // $1 / $5 per million, cache read $0.10, cache write (5-minute) $1.25.
    price: {
      inputPerMillionMicros: 1_000_000,
      outputPerMillionMicros: 5_000_000,
      cacheReadPerMillionMicros: 100_000,
      cacheWritePerMillionMicros: 1_250_000,
      version: defaultCatalogPriceVersion,
    },
    safetyTier: 3,
    qualityPriors: {
      default: 0.78,
      byTask: {
        safety_screening: 0.84,
        summarization: 0.82,
        choice_generation: 0.8,
        therapeutic_response: 0.8,
        narrative_generation: 0.74,
      },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 500, timeToFirstTokenP95Ms: 1_400, outputTokensPerSecond: 110 },
    tags: ['hosted', 'fast'],
  },
  {
    id: 'openrouter/meta-llama/llama-3.3-70b-instruct',
    provider: 'openrouter',
    providerModel: 'meta-llama/llama-3.3-70b-instruct',
    displayName: 'Llama 3.3 70B Instruct (OpenRouter)',
    contextWindow: 131_072,
    // The output limit depends on which host OpenRouter picks; 8,192 is one most of them allow.
    maxOutputTokens: 8_192,
    capabilities: {
      streaming: true,
      tools: true,
      jsonMode: false,
      systemRole: true,
      assistantPrefill: false,
    },
    // Not in the reference catalog: unknown (costs show as unknown, never as free) until a
    // catalog with OpenRouter's prices is imported or an operator sets one.
    price: null,
    safetyTier: 1,
    qualityPriors: {
      default: 0.72,
      byTask: { narrative_generation: 0.74, dialogue_generation: 0.74, therapeutic_response: 0.62 },
    },
    latencyPriors: { timeToFirstTokenP50Ms: 600, timeToFirstTokenP95Ms: 2_000, outputTokensPerSecond: 60 },
    tags: ['hosted', 'open-weights'],
  },
  {
    id: 'ollama/llama3.2',
    provider: 'ollama',
    providerModel: 'llama3.2',
    displayName: 'Llama 3.2 3B (Ollama)',
    // The model handles 128k, but Ollama serves only its configured context (4,096 by default) and
    // silently cuts longer prompts; raise this with OLLAMA_CONTEXT_LENGTH in a studio overlay.
    contextWindow: 4_096,
    maxOutputTokens: 2_048,
    capabilities: { streaming: true, tools: true, jsonMode: true, systemRole: true, assistantPrefill: false },
    price: freeLocalPrice,
    privacy: { local: true, zeroRetention: false },
    safetyTier: 1,
    qualityPriors: {
      default: 0.5,
      byTask: {
        summarization: 0.58,
        choice_generation: 0.55,
        safety_screening: 0.55,
        narrative_generation: 0.45,
      },
    },
    // Depends entirely on the studio's hardware; a modest GPU is assumed.
    latencyPriors: { timeToFirstTokenP50Ms: 400, timeToFirstTokenP95Ms: 1_500, outputTokensPerSecond: 40 },
    tags: ['local', 'open-weights'],
  },
];

type RiskRules = Record<RiskLevel, RiskRule>;

/**
 * The risk rules most tasks share. The floors rise with risk so that at crisis only tier-3 models
 * remain, and the temperature ceilings fall so that a distressed player never gets a wild answer.
 */
const standardRiskRules: RiskRules = {
  none: { minSafetyTier: 0, maxTemperature: 1.3 },
  low: { minSafetyTier: 1, maxTemperature: 1.1 },
  elevated: { minSafetyTier: 2, maxTemperature: 0.7 },
  crisis: { minSafetyTier: 3, maxTemperature: 0.3 },
};

/** The policy for everything no task policy claims, and for requests that name no policy. */
const defaultPolicy: RoutingPolicyInput = {
  name: 'default',
  description: 'Balanced quality, speed and cost for requests no task policy governs.',
  riskRules: standardRiskRules,
  weights: { quality: 1, latency: 1, cost: 1 },
  temperatureRange: { min: 0.3, max: 1 },
  explorationRate: 0.05,
};

/** What a task policy sets; its name and the task it applies to come from its key below. */
type TaskPolicy = Omit<RoutingPolicyInput, 'name' | 'appliesTo'>;

/** A task's policy under the standard risk rules, unless the task states its own. */
function taskPolicy(policy: Omit<TaskPolicy, 'riskRules'> & { riskRules?: RiskRules }): TaskPolicy {
  return { riskRules: standardRiskRules, ...policy };
}

/** One policy per task type, tuned to what that task values. */
const taskPolicies: Record<TaskType, TaskPolicy> = {
  narrative_generation: taskPolicy({
    description: 'Story prose: quality first, warm temperatures, longer answers.',
    weights: { quality: 3, latency: 1, cost: 0.5 },
    temperatureRange: { min: 0.7, max: 1.2 },
    defaultMaxOutputTokens: 1_024,
    explorationRate: 0.1,
    timeouts: { headersMs: 10_000, firstTokenMs: 10_000, idleMs: 5_000, totalMs: 45_000 },
  }),
  dialogue_generation: taskPolicy({
    description: 'Characters speaking: quality matters, but a conversation must not stall.',
    weights: { quality: 2, latency: 1.5, cost: 0.5 },
    temperatureRange: { min: 0.6, max: 1.1 },
    defaultMaxOutputTokens: 512,
    explorationRate: 0.1,
  }),
  character_development: taskPolicy({
    description: 'Character sheets and arcs: quality-heavy, creative temperatures.',
    weights: { quality: 2.5, latency: 0.75, cost: 0.5 },
    temperatureRange: { min: 0.6, max: 1.1 },
    defaultMaxOutputTokens: 1_024,
    explorationRate: 0.1,
  }),
  therapeutic_response: taskPolicy({
    description: 'Speaking to the player about their feelings: quality and safety first, calm temperatures.',
    // Never below tier 2, even when nothing is flagged: the player is being addressed directly.
    riskRules: {
      none: { minSafetyTier: 2, maxTemperature: 0.8 },
      low: { minSafetyTier: 2, maxTemperature: 0.7 },
      elevated: { minSafetyTier: 3, maxTemperature: 0.5 },
      crisis: { minSafetyTier: 3, maxTemperature: 0.3 },
    },
    // Latency weighs a twelfth of quality, not a third: games ask for low creativity here (calm
    // temperatures), and the creativity knob tilts low creativity towards speed. At 1 the tilt made
    // latency weigh as much as quality at typical creativity (0.35) and nearly three times as much
    // at elevated risk (creativity ~0.2), so the player in distress got the fastest safe model, not
    // the most careful one. At 0.25 quality carries most of the weight from creativity 0.2 up
    // (72 % at 0.35, 51 % at 0.2), while a game that sends less (0.1) still gets speed first. The
    // answer streams, so a slower model shows as a later first token, not as a blank screen. Cost
    // stays minor: at most one such answer a turn.
    weights: { quality: 3, latency: 0.25, cost: 0.25 },
    temperatureRange: { min: 0.2, max: 0.6 },
    defaultMaxOutputTokens: 768,
    explorationRate: 0.05,
  }),
  world_building: taskPolicy({
    description: 'Places, lore and history: quality-heavy, latency matters little, warm temperatures.',
    weights: { quality: 3, latency: 0.5, cost: 0.5 },
    temperatureRange: { min: 0.7, max: 1.2 },
    defaultMaxOutputTokens: 1_536,
    explorationRate: 0.1,
    timeouts: { headersMs: 10_000, firstTokenMs: 10_000, idleMs: 5_000, totalMs: 60_000 },
  }),
  choice_generation: taskPolicy({
    description: 'Short lists of player options: fast and cheap, but the player reads every one.',
    // Quality counts as much as speed and cost: the options are the player's agency in the story
    // (in a therapeutic adventure, often the coping strategy on offer), so a weak list shows on
    // every turn. At 1 the two cheapest models took nine requests in ten. The answers are short,
    // so a better model costs little in absolute terms; speed still leads at the creativity games
    // ask for (0.4).
    weights: { quality: 2, latency: 2, cost: 2 },
    temperatureRange: { min: 0.5, max: 0.9 },
    defaultMaxOutputTokens: 256,
    explorationRate: 0.1,
    timeouts: { headersMs: 5_000, firstTokenMs: 4_000, idleMs: 3_000, totalMs: 15_000 },
  }),
  consequence_analysis: taskPolicy({
    description: 'Working out what a choice leads to: careful reasoning, low temperatures.',
    weights: { quality: 2, latency: 1, cost: 1 },
    temperatureRange: { min: 0.2, max: 0.6 },
    defaultMaxOutputTokens: 512,
    explorationRate: 0.05,
  }),
  safety_screening: taskPolicy({
    description:
      'Screening text for risk before it reaches the player: fast, deterministic, safety-trained models.',
    // A screen is only as good as the model running it: tier 2 even when nothing is flagged.
    riskRules: {
      none: { minSafetyTier: 2, maxTemperature: 0.2 },
      low: { minSafetyTier: 2, maxTemperature: 0.2 },
      elevated: { minSafetyTier: 2, maxTemperature: 0.2 },
      crisis: { minSafetyTier: 3, maxTemperature: 0.1 },
    },
    weights: { quality: 1, latency: 3, cost: 1 },
    temperatureRange: { min: 0, max: 0.2 },
    defaultMaxOutputTokens: 256,
    explorationRate: 0.02,
    // Every turn waits on the screen: hedge early rather than let one slow provider stall the game.
    timeouts: { headersMs: 4_000, firstTokenMs: 3_000, idleMs: 2_000, totalMs: 10_000, hedgeMs: 1_500 },
  }),
  summarization: taskPolicy({
    description: 'Condensing session history: cheap and faithful, low temperatures.',
    weights: { quality: 1, latency: 1, cost: 2.5 },
    temperatureRange: { min: 0.1, max: 0.4 },
    defaultMaxOutputTokens: 512,
    explorationRate: 0.05,
  }),
  general_chat: taskPolicy({
    description: 'Everything else the game asks: balanced.',
    weights: { quality: 1.5, latency: 1.5, cost: 1 },
    temperatureRange: { min: 0.4, max: 1 },
    defaultMaxOutputTokens: 768,
    explorationRate: 0.05,
  }),
};

const defaultRegistryInput: RegistryContentInput = {
  providers,
  models: [...simulatedModels, ...realModels],
  policies: [
    defaultPolicy,
    ...Object.entries(taskPolicies).map(([task, policy]) => ({
      name: task,
      appliesTo: { taskTypes: [task as TaskType] },
      ...policy,
    })),
  ],
};

/**
 * The registry Switchboard ships with: the simulated models (so the embedded demo answers without
 * any key), well-known real models (which need their provider's key; the control plane decides
 * what to seed), and a policy for every task type. Each call returns a fresh copy, with schema
 * defaults applied, that the caller may change freely.
 */
export function defaultRegistryContent(): RegistryContent {
  return registryContentSchema.parse(defaultRegistryInput);
}

/** When the default snapshot says it was made, unless told: fixed, so core stays free of clocks. */
export const defaultRegistryEpoch = '1970-01-01T00:00:00.000Z';

/** The default registry as snapshot version 1, ready for selection. */
export function defaultRegistrySnapshot(createdAt: string = defaultRegistryEpoch): RegistrySnapshot {
  return buildRegistrySnapshot(defaultRegistryContent(), { version: 1, createdAt });
}
