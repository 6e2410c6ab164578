import { z } from 'zod';
import { riskLevels, taskTypes } from '../context/therapeutic-context.ts';
import { safetyTierSchema } from './model-spec.ts';

/** What a policy demands of a model at one risk level. */
export const riskRuleSchema = z.strictObject({
  /** Models below this safety tier are rejected at this risk level. */
  minSafetyTier: safetyTierSchema,
  /** Sampling temperature never exceeds this at this risk level, whatever the creativity. */
  maxTemperature: z.number().min(0).max(2),
});
export type RiskRule = z.output<typeof riskRuleSchema>;

/** Relative importance of the three objectives before the creativity knob shifts them. */
export const objectiveWeightsSchema = z.strictObject({
  quality: z.number().nonnegative(),
  latency: z.number().nonnegative(),
  cost: z.number().nonnegative(),
});
export type ObjectiveWeights = z.output<typeof objectiveWeightsSchema>;

/** Per-attempt deadlines the engine enforces. */
export const policyTimeoutsSchema = z.strictObject({
  /** Time to response headers. */
  headersMs: z.number().int().positive().default(10_000),
  /** Time to the first token; a silent provider costs at most this before failover. */
  firstTokenMs: z.number().int().positive().default(8_000),
  /** Longest gap between two chunks of a stream before it counts as stalled. */
  idleMs: z.number().int().positive().default(5_000),
  /** The whole request, all attempts included, when the caller gives no deadline. */
  totalMs: z.number().int().positive().default(30_000),
  /** Start a hedge on the next candidate when no token arrived by then. Unset: no hedging. */
  hedgeMs: z.number().int().positive().optional(),
});
export type PolicyTimeouts = z.output<typeof policyTimeoutsSchema>;

const defaultRiskRules = {
  none: { minSafetyTier: 0, maxTemperature: 1.3 },
  low: { minSafetyTier: 1, maxTemperature: 1.1 },
  elevated: { minSafetyTier: 2, maxTemperature: 0.7 },
  crisis: { minSafetyTier: 3, maxTemperature: 0.3 },
} as const;

/**
 * A named routing policy: which requests it governs, what it demands of models at each risk level,
 * how it weighs quality, latency and cost, and how failover behaves.
 */
export const routingPolicySchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().optional(),
  /** The requests this policy governs by default; a request may also name a policy outright. */
  appliesTo: z
    .strictObject({
      taskTypes: z.array(z.enum(taskTypes)).default([]),
    })
    .default({ taskTypes: [] }),
  riskRules: z
    .strictObject({
      none: riskRuleSchema,
      low: riskRuleSchema,
      elevated: riskRuleSchema,
      crisis: riskRuleSchema,
    })
    .default(defaultRiskRules),
  weights: objectiveWeightsSchema.default({ quality: 1, latency: 1, cost: 1 }),
  /** Temperature at creativity 0 and at creativity 1; capped by the risk rule's ceiling. */
  temperatureRange: z
    .strictObject({ min: z.number().min(0).max(2), max: z.number().min(0).max(2) })
    .refine((range) => range.min <= range.max, {
      message: 'min must not exceed max (min is the temperature at creativity 0, max at creativity 1)',
      path: ['max'],
    })
    .default({ min: 0.2, max: 1.1 }),
  topP: z.number().gt(0).max(1).default(1),
  /** Output tokens requested when the caller does not say. */
  defaultMaxOutputTokens: z.number().int().positive().default(1024),
  /** Only these models, when set. */
  allowModels: z.array(z.string()).optional(),
  /** Never these models. */
  denyModels: z.array(z.string()).default([]),
  /** Share of traffic (0..1) that may explore a model other than the best; zero at elevated and crisis risk. */
  explorationRate: z.number().min(0).max(1).default(0.1),
  /** Longest ranked list handed to the engine. */
  maxCandidates: z.number().int().positive().default(4),
  /** On a content-filter refusal, fail over only to models of equal or higher safety tier. */
  contentFilterFailoverSameTierOrSafer: z.boolean().default(true),
  timeouts: policyTimeoutsSchema.default({
    headersMs: 10_000,
    firstTokenMs: 8_000,
    idleMs: 5_000,
    totalMs: 30_000,
  }),
});
export type RoutingPolicy = z.output<typeof routingPolicySchema>;
export type RoutingPolicyInput = z.input<typeof routingPolicySchema>;

/** Every risk level, in rising order. */
export { riskLevels };
