import { z } from 'zod';
import { taskTypes } from '../context/therapeutic-context.ts';

const microDollarsPerMillion = z.number().int().nonnegative();

/**
 * A model's price in integer micro-dollars per million tokens. `version` identifies the price list
 * the numbers came from, so every ledger row can say which prices it was billed at.
 */
export const modelPriceSchema = z.strictObject({
  inputPerMillionMicros: microDollarsPerMillion,
  outputPerMillionMicros: microDollarsPerMillion,
  /** Price of prompt tokens read from the provider's cache. Unset: billed as ordinary input. */
  cacheReadPerMillionMicros: microDollarsPerMillion.optional(),
  /** Price of prompt tokens written to the provider's cache. Unset: billed as ordinary input. */
  cacheWritePerMillionMicros: microDollarsPerMillion.optional(),
  /** Price of reasoning tokens when the provider bills them apart. Unset: billed as output. */
  reasoningPerMillionMicros: microDollarsPerMillion.optional(),
  version: z.string().min(1),
});
export type ModelPrice = z.output<typeof modelPriceSchema>;

/** What a model can do; selection rejects models that lack what a request needs. */
export const modelCapabilitiesSchema = z.strictObject({
  streaming: z.boolean().default(true),
  tools: z.boolean().default(false),
  jsonMode: z.boolean().default(false),
  /** Accepts a `system` message. Without it, continuity folds the system prompt into the first turn. */
  systemRole: z.boolean().default(true),
  /** Continues a trailing assistant message (prefill); used to resume a cut stream seamlessly. */
  assistantPrefill: z.boolean().default(false),
});
export type ModelCapabilities = z.output<typeof modelCapabilitiesSchema>;

/** Where the player's words go when this model is used. */
export const modelPrivacySchema = z.strictObject({
  /** Runs on the studio's own hardware (Ollama, LM Studio, vLLM, simulated). */
  local: z.boolean().default(false),
  /** The provider contractually keeps no prompts or outputs. */
  zeroRetention: z.boolean().default(false),
  /** Data residency region, when known (`eu`, `us`, ...). */
  region: z.string().optional(),
});
export type ModelPrivacy = z.output<typeof modelPrivacySchema>;

/** Expected quality per task type, 0..1, before Switchboard has learned from feedback. */
export const qualityPriorsSchema = z.strictObject({
  default: z.number().min(0).max(1),
  byTask: z.partialRecord(z.enum(taskTypes), z.number().min(0).max(1)).default({}),
});
export type QualityPriors = z.output<typeof qualityPriorsSchema>;

/** Expected latency before Switchboard has measured any. */
export const latencyPriorsSchema = z.strictObject({
  /** Median time to first token, in milliseconds. */
  timeToFirstTokenP50Ms: z.number().positive(),
  /** 95th percentile time to first token, in milliseconds. */
  timeToFirstTokenP95Ms: z.number().positive(),
  /** Output speed once streaming, in tokens per second. */
  outputTokensPerSecond: z.number().positive(),
});
export type LatencyPriors = z.output<typeof latencyPriorsSchema>;

/**
 * How carefully a model handles distressing content, from 0 (unscreened base model) to 3 (tuned
 * and evaluated for mental-health conversations). Policies set a minimum tier per risk level.
 */
export const safetyTiers = [0, 1, 2, 3] as const;
export type SafetyTier = (typeof safetyTiers)[number];

/** A safety tier as written in a registry file; a wrong value is reported as "expected one of 0|1|2|3". */
export const safetyTierSchema = z.literal(safetyTiers);

/** One model Switchboard may route to. */
export const modelSpecSchema = z
  .strictObject({
    /** Registry id, unique, conventionally `<provider>/<model>`. */
    id: z.string().min(1).max(200),
    /** Id of the provider entry that says how to reach this model. */
    provider: z.string().min(1),
    /** The provider's own name for the model, sent on the wire. */
    providerModel: z.string().min(1),
    displayName: z.string().optional(),
    /** Tokens the model accepts in prompt and output together. */
    contextWindow: z.number().int().positive(),
    /** Most tokens the model will produce in one answer. */
    maxOutputTokens: z.number().int().positive(),
    capabilities: modelCapabilitiesSchema.default({
      streaming: true,
      tools: false,
      jsonMode: false,
      systemRole: true,
      assistantPrefill: false,
    }),
    /** `null` means the price is unknown: costs are then reported as unknown, never as zero. */
    price: modelPriceSchema.nullable(),
    privacy: modelPrivacySchema.default({ local: false, zeroRetention: false }),
    safetyTier: safetyTierSchema,
    qualityPriors: qualityPriorsSchema,
    latencyPriors: latencyPriorsSchema,
    /** Disabled models stay in the registry for history but are never selected. */
    enabled: z.boolean().default(true),
    tags: z.array(z.string()).default([]),
  })
  .refine((model) => model.maxOutputTokens <= model.contextWindow, {
    message: 'maxOutputTokens must not exceed contextWindow',
    path: ['maxOutputTokens'],
  });
export type ModelSpec = z.output<typeof modelSpecSchema>;
export type ModelSpecInput = z.input<typeof modelSpecSchema>;

/** How a provider is reached. Secrets are referenced by environment variable name, never stored. */
export const providerSpecSchema = z.strictObject({
  id: z.string().min(1).max(100),
  /** Which adapter speaks to it. */
  kind: z.enum(['openai-compatible', 'anthropic', 'sim']),
  /** Named preset of the OpenAI-compatible adapter (`openai`, `openrouter`, `ollama`, ...). */
  preset: z.string().optional(),
  /** Where the provider listens; only http(s), so a typo like `htp://` fails at load, not at the first call. */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:11434/v1' })
    .optional(),
  /** Name of the environment variable holding the API key. The key itself is never in the registry. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name such as OPENAI_API_KEY')
    .optional(),
  /** Extra headers sent on every call (attribution headers and the like, never secrets). */
  headers: z.record(z.string(), z.string()).default({}),
  enabled: z.boolean().default(true),
});
export type ProviderSpec = z.output<typeof providerSpecSchema>;
export type ProviderSpecInput = z.input<typeof providerSpecSchema>;
