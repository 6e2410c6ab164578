import {
  estimateTokens,
  tokenizerFamilyFor,
  worstCaseCostMicros,
  type ChatRequest,
  type Cost,
  type ModelSpec,
} from '@switchboard/core';
import type { AttemptRecord, AttemptTrigger } from './execution-result.ts';

/**
 * What the engine tells a budget guard before it starts an attempt. Every attempt is asked about:
 * the first, each retry, failover, hedge and handoff, because each one can cost the worst case.
 */
export interface AttemptAdmissionRequest {
  /** The execution's id (`ExecuteOptions.executionId`); `undefined` when the host gave none. */
  executionId: string | undefined;
  /**
   * The index the attempt will have in `attempts`. With `executionId` it names the attempt
   * uniquely, so a guard can use the pair as an idempotency key for its reservation.
   */
  attemptIndex: number;
  modelId: string;
  provider: string;
  trigger: AttemptTrigger;
  /**
   * The most the attempt can cost: the prompt it will send (continuation included) at the full
   * input rate plus its whole output allowance. `undefined` when the model has no price, which no
   * hard budget can admit, because nothing bounds what it will cost.
   */
  worstCaseMicros: number | undefined;
}

/** What an attempt turned out to cost, handed to {@link AttemptAdmitted.settle} when it ends. */
export interface AttemptCharge {
  /** Whether the attempt is charged at all (see `AttemptRecord.billed`); false releases the reservation. */
  billed: boolean;
  /**
   * Integer micro-dollars when the price of a billed attempt is known; `undefined` when it is not
   * billed (charge nothing) or billed at an unknown price (charge the reservation, never nothing).
   */
  actualMicros: number | undefined;
  /** The attempt's priced cost as the ledger records it. */
  cost: Cost | undefined;
}

/** The guard admitted the attempt; `settle` must run exactly once when it ends. */
export interface AttemptAdmitted {
  admitted: true;
  /**
   * Replaces the reservation with what the attempt cost. The engine calls it for every admitted
   * attempt, failed and cancelled ones included (with `billed: false`), and never waits for it:
   * a guard that cannot record the charge must keep it itself and catch up later.
   */
  settle(charge: AttemptCharge): Promise<void>;
}

/** The guard refused the attempt: the candidate is skipped like an ineligible one. */
export interface AttemptRefused {
  admitted: false;
  /**
   * Which budget refused, why, and when it resets, in words for the developer reading the final
   * error (never message content).
   */
  reason: string;
  /** The refusing budget's id, for hosts that map the refusal to their own error. */
  budgetId?: string | undefined;
  /** Epoch milliseconds at which the refusing budget resets; `null` for a lifetime budget. */
  resetsAt?: number | null | undefined;
}

/** The answer of an {@link AttemptAdmissionHook}. */
export type AttemptAdmission = AttemptAdmitted | AttemptRefused;

/**
 * Asked before every attempt. Reserve the worst case and admit, or refuse. A refused candidate is
 * passed over (`SkipReason` `budget`) and the next, often cheaper, candidate is asked in its turn;
 * when nothing fits, the execution fails with `budget_exceeded` and the last refusal's reason.
 * A hook that throws counts as a refusal: the host decides inside the hook whether an unreachable
 * budget store admits (fail open) or refuses (fail closed).
 */
export type AttemptAdmissionHook = (request: AttemptAdmissionRequest) => Promise<AttemptAdmission>;

/** The charge of an ended attempt, from its billing (see `billAttempt`). */
export function chargeOf(record: AttemptRecord): AttemptCharge {
  if (!record.billed) return { billed: false, actualMicros: undefined, cost: record.cost };
  const actualMicros = record.cost?.status === 'known' ? record.cost.micros : undefined;
  return { billed: true, actualMicros, cost: record.cost };
}

/** The worst-case cost of sending `request` to `model`, for the admission request. */
export function attemptWorstCaseMicros(
  model: ModelSpec | undefined,
  request: ChatRequest,
): number | undefined {
  if (model === undefined) return undefined;
  const inputTokens = estimateTokens(request.messages, {
    family: tokenizerFamilyFor(model),
    tools: request.tools,
  });
  const maxOutputTokens = request.maxOutputTokens ?? model.maxOutputTokens;
  return worstCaseCostMicros(model.price, inputTokens, maxOutputTokens);
}
