import type { Decision, TherapeuticContext } from '@switchboard/core';
import { OpenAiError } from '../../gateway/openai-error.ts';
import { BudgetRefusal, type BudgetPlan, type BudgetService } from './budget.service.ts';

/** No budget applies: selection and the engine run unguarded. */
const unbudgeted: BudgetPlan = Object.freeze({ selection: undefined, admitAttempt: undefined });

/**
 * The budgets of a gateway request (see {@link BudgetService.plan}), with a refusal rendered for
 * OpenAI clients: 429 `budget_exceeded` naming the budget and its reset (and `Retry-After`), or
 * 503 `budget_unavailable` while Redis is down and budgets fail closed.
 */
export async function planGatewayBudget(
  budgets: BudgetService | undefined,
  context: TherapeuticContext,
  requestId: string,
): Promise<BudgetPlan> {
  if (budgets === undefined) return unbudgeted;
  try {
    return await budgets.plan(context, requestId);
  } catch (error) {
    if (error instanceof BudgetRefusal) throw openAiErrorOfBudgetRefusal(error);
    throw error;
  }
}

/**
 * When selection rejected models because their worst case exceeds what a hard budget has left and
 * nothing qualified, the 429 to answer instead of "no eligible model"; `undefined` otherwise.
 */
export async function budgetErrorForEmptySelection(
  budgets: BudgetService | undefined,
  context: TherapeuticContext,
  decision: Decision,
): Promise<OpenAiError | undefined> {
  if (budgets === undefined || !decision.rejections.some((rejection) => rejection.code === 'budget')) {
    return undefined;
  }
  const refusal = await budgets.refusalForEmptySelection(context);
  return refusal === undefined ? undefined : openAiErrorOfBudgetRefusal(refusal);
}

/** A budget refusal in OpenAI's error shape. */
export function openAiErrorOfBudgetRefusal(refusal: BudgetRefusal): OpenAiError {
  const headers: Record<string, string> =
    refusal.retryAfterSeconds === undefined ? {} : { 'retry-after': String(refusal.retryAfterSeconds) };
  if (refusal.kind === 'unavailable') {
    return new OpenAiError(503, refusal.message, 'server_error', null, 'budget_unavailable', headers);
  }
  return new OpenAiError(429, refusal.message, 'requests', null, 'budget_exceeded', headers);
}
