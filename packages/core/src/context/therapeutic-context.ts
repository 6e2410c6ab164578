import { z } from 'zod';
import { formatZodIssues, SwitchboardValidationError } from '../validation.ts';

/** What the text is for. Each task wants a different balance of creativity, speed and safety. */
export const taskTypes = [
  'narrative_generation',
  'dialogue_generation',
  'character_development',
  'therapeutic_response',
  'world_building',
  'choice_generation',
  'consequence_analysis',
  'safety_screening',
  'summarization',
  'general_chat',
] as const;
export type TaskType = (typeof taskTypes)[number];

/**
 * How vulnerable the player is right now, as the game's own screening judged it. `elevated` and
 * `crisis` switch selection to the safest models and turn exploration off.
 */
export const riskLevels = ['none', 'low', 'elevated', 'crisis'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** Where the player is in the session's therapeutic arc. */
export const sessionPhases = ['opening', 'exploration', 'deepening', 'integration', 'closing'] as const;
export type SessionPhase = (typeof sessionPhases)[number];

/**
 * `standard` may use any provider; `sensitive` (the player disclosed health-adjacent detail) only
 * models that run locally or whose provider keeps nothing (zero retention).
 */
export const privacyRequirements = ['standard', 'sensitive'] as const;
export type PrivacyRequirement = (typeof privacyRequirements)[number];

/** Risk levels at which exploration is forbidden and safety floors apply. */
export function isHighRisk(risk: RiskLevel): boolean {
  return risk === 'elevated' || risk === 'crisis';
}

const identifier = z.string().min(1).max(200);

/**
 * The schema of the context a game sends with every request. Defaults are chosen so that a game
 * that says nothing gets a safe, ordinary turn: general chat, no known risk, balanced creativity,
 * standard privacy.
 */
export const therapeuticContextSchema = z.strictObject({
  /** What the text is for. Default `general_chat`. */
  taskType: z.enum(taskTypes).default('general_chat'),
  /** Default `none`: the game has not flagged any risk. */
  riskLevel: z.enum(riskLevels).default('none'),
  /** How emotionally charged the scene is, 0 (calm) to 1 (intense). Default 0. */
  emotionalIntensity: z.number().min(0).max(1).default(0),
  /** Default `exploration`. */
  sessionPhase: z.enum(sessionPhases).default('exploration'),
  /**
   * The speed-creativity balance, 0 (fastest adequate answer) to 1 (most creative, highest quality).
   * Default 0.5.
   */
  creativity: z.number().min(0).max(1).default(0.5),
  /** Milliseconds the game can wait for the whole answer. Unset: the policy's total deadline. */
  latencyBudgetMs: z.number().int().positive().optional(),
  /** Most this one request may cost, in micro-dollars. Unset: no per-request ceiling. */
  costCeilingMicros: z.number().int().nonnegative().optional(),
  /** Default `standard`. */
  privacy: z.enum(privacyRequirements).default('standard'),
  playerId: identifier.optional(),
  sessionId: identifier.optional(),
  tenantId: identifier.optional(),
});

/** The therapeutic context after defaults are applied. */
export type TherapeuticContext = z.output<typeof therapeuticContextSchema>;
/** The therapeutic context as a game may send it, with optional fields left out. */
export type TherapeuticContextInput = z.input<typeof therapeuticContextSchema>;

/**
 * Parses a context from outside, applying the documented defaults. Throws a
 * {@link SwitchboardValidationError} whose message names each bad field and what it expects.
 */
export function parseTherapeuticContext(input: unknown): TherapeuticContext {
  const result = therapeuticContextSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new SwitchboardValidationError(
    `Invalid therapeutic context: ${formatZodIssues(result.error.issues)}`,
    result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  );
}
