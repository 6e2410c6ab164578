import { budgetPeriods, budgetScopes, type BudgetPeriod, type BudgetScope } from '@switchboard/core';
import { z } from 'zod';

/** How a budget acts on its limit. */
export const budgetModes = ['hard', 'soft'] as const;

/**
 * `hard`: a call whose worst case does not fit is refused (429 `budget_exceeded`); `soft`: calls
 * go on, an alert is raised and selection prefers cheaper models once the alert threshold passes.
 */
export type BudgetMode = (typeof budgetModes)[number];

/** A budget as an admin defined it: whose spending, over which period, up to what, and how strictly. */
export interface BudgetDefinition {
  id: string;
  scope: BudgetScope;
  /** The player, session or tenant id; `null` for the global scope. */
  scopeId: string | null;
  period: BudgetPeriod;
  /** Integer micro-dollars the period may spend. */
  limitMicros: number;
  mode: BudgetMode;
  /**
   * Fraction of the limit (0..1] at which a soft budget alerts and selection starts preferring
   * cheaper models. Hard budgets report it too (dashboards colour by it).
   */
  alertThreshold: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** Default {@link BudgetDefinition.alertThreshold}: warn when 80 % is committed. */
export const defaultAlertThreshold = 0.8;

const identifier = z
  .string({ error: 'expected the id of the player, session or tenant, such as "player-42"' })
  .trim()
  .min(1, 'expected a non-empty id such as "player-42"')
  .max(200, 'expected at most 200 characters');

const limitMicros = z
  .number({ error: 'expected a whole number of micro-dollars greater than 0 (1000000 is $1.00)' })
  .int('expected a whole number of micro-dollars greater than 0 (1000000 is $1.00)')
  .positive('expected a whole number of micro-dollars greater than 0 (1000000 is $1.00)')
  .max(Number.MAX_SAFE_INTEGER, 'expected at most 9007199254740991 micro-dollars');

const alertThreshold = z
  .number({ error: 'expected a fraction of the limit greater than 0 and at most 1, such as 0.8' })
  .gt(0, 'expected a fraction of the limit greater than 0 and at most 1, such as 0.8')
  .max(1, 'expected a fraction of the limit greater than 0 and at most 1, such as 0.8');

const budgetId = z
  .string({
    error: 'expected an id of letters, digits, dots, dashes or underscores, such as "tenant-eu-day"',
  })
  .regex(
    /^[A-Za-z0-9_.-]{1,100}$/,
    'expected an id of letters, digits, dots, dashes or underscores, such as "tenant-eu-day"',
  );

/** Body of `POST /admin/budgets`. The id is optional (a UUID is generated). */
export const createBudgetSchema = z
  .strictObject({
    id: budgetId.optional(),
    scope: z.enum(budgetScopes, { error: `expected one of ${budgetScopes.join(', ')}` }),
    scopeId: identifier.nullable().optional(),
    period: z.enum(budgetPeriods, { error: `expected one of ${budgetPeriods.join(', ')}` }),
    limitMicros,
    mode: z.enum(budgetModes, { error: 'expected "hard" (refuse) or "soft" (alert and prefer cheaper)' }),
    alertThreshold: alertThreshold.optional(),
  })
  .superRefine((value, context) => {
    const hasId = value.scopeId !== undefined && value.scopeId !== null;
    if (value.scope === 'global' && hasId) {
      context.addIssue({
        code: 'custom',
        path: ['scopeId'],
        message: 'a global budget has no scopeId; leave it out or send null',
      });
    }
    if (value.scope !== 'global' && !hasId) {
      context.addIssue({
        code: 'custom',
        path: ['scopeId'],
        message: `a ${value.scope} budget needs the ${value.scope} id it limits, such as "${value.scope}-42"`,
      });
    }
  });

/** Body of `PATCH /admin/budgets/:id`: what may change without starting a different budget. */
export const updateBudgetSchema = z
  .strictObject({
    limitMicros: limitMicros.optional(),
    mode: z
      .enum(budgetModes, { error: 'expected "hard" (refuse) or "soft" (alert and prefer cheaper)' })
      .optional(),
    alertThreshold: alertThreshold.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, {
    message: 'expected at least one of limitMicros, mode, alertThreshold (scope and period cannot change)',
  });

/** A validated create body. */
export type CreateBudgetInput = z.output<typeof createBudgetSchema>;

/** A validated update body. */
export type UpdateBudgetInput = z.output<typeof updateBudgetSchema>;
