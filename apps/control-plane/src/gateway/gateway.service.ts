import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  estimateTokens,
  type ChatRequest,
  type Decision,
  type RegistrySnapshot,
  type SelectionRequest,
} from '@switchboard/core';
import {
  engineRegistryFromSnapshot,
  execute,
  isExecutionError,
  type EngineExecution,
  type ExecutionError,
  type ExecutionResult,
} from '@switchboard/sdk';
import { CLOCK, type Clock } from '../config/clock.ts';
import { BudgetService } from '../cost/budgets/budget.service.ts';
import { budgetErrorForEmptySelection, planGatewayBudget } from '../cost/budgets/gateway-budget.ts';
import { CIRCUIT_BREAKERS, type CircuitBreakers } from '../decisions/circuit-breakers.ts';
import { CurrentSnapshotService } from '../decisions/current-snapshot.service.ts';
import { DecisionStore } from '../decisions/decision-store.ts';
import { virtualModelNames } from '../decisions/model-reference.ts';
import { resolveRouting, RoutingError, type ResolvedRouting } from '../decisions/resolve-routing.ts';
import { SelectionService } from '../decisions/selection.service.ts';
import { ProviderAdaptersService } from '../providers/provider-adapters.service.ts';
import { parseChatCompletionRequest, type ChatCompletionRequest } from './chat-completion-request.ts';
import { GatewayOutcomeReporter } from './gateway-outcome.reporter.ts';
import { OpenAiError } from './openai-error.ts';
import { SpeakerTracker } from './speaker-tracker.ts';

/** The `model` a response names when no model wrote the answer (the crisis safe message). */
export const fallbackModelName = 'switchboard/safe-message';

/** A chat completion whose execution has started. */
export interface StartedCompletion {
  decisionId: string;
  request: ChatCompletionRequest;
  decision: Decision;
  execution: EngineExecution;
  /** Unix seconds, for the `created` field. */
  created: number;
  /** Response headers this request adds (`x-switchboard-temperature-clamped`). */
  headers: Readonly<Record<string, string>>;
  /** Which model is producing the answer now (see {@link SpeakerTracker}). */
  speaker(): string | undefined;
  /** True once the crisis safe message answered. */
  usedFallback(): boolean;
}

/** Who is asking, and how to cancel. */
export interface CompletionCall {
  decisionId: string;
  /** Aborts the execution (the HTTP client went away). */
  signal: AbortSignal;
  apiKeyId: string | undefined;
}

/** OpenAI's model list. */
export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/** The caller's temperature and what was applied, when the risk level's ceiling lowered it. */
interface TemperatureChoice {
  applied: number | undefined;
  header: string | undefined;
}

/**
 * The OpenAI-compatible gateway's logic: reads a chat completion request, resolves its model name
 * and therapeutic context against the registry, selects with core's `select()`, and runs the
 * decision with the SDK's engine (the same retries, failover, hedging, continuation and crisis
 * fail-safe a game service gets in direct mode; nothing of it is re-implemented here). When the
 * execution ends, its outcome goes to passive health, metrics and the outcome listener, and the
 * decision is remembered for `/v1/feedback`.
 */
@Injectable()
export class GatewayService {
  constructor(
    @Inject(CurrentSnapshotService) private readonly snapshots: CurrentSnapshotService,
    @Inject(SelectionService) private readonly selection: SelectionService,
    @Inject(ProviderAdaptersService) private readonly adapters: ProviderAdaptersService,
    @Inject(DecisionStore) private readonly decisions: DecisionStore,
    @Inject(CIRCUIT_BREAKERS) private readonly breakers: CircuitBreakers,
    @Inject(GatewayOutcomeReporter) private readonly reporter: GatewayOutcomeReporter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(BudgetService) private readonly budgets?: BudgetService,
  ) {}

  /**
   * Starts a chat completion. Throws an `OpenAiError` for a bad request (400), an unknown or disabled
   * model (404) and a request no model may serve (400); the execution's own failure arrives through
   * its `result` and its stream.
   */
  async start(body: unknown, headers: IncomingHttpHeaders, call: CompletionCall): Promise<StartedCompletion> {
    const startedAt = this.clock.now();
    const request = parseChatCompletionRequest(body, headers);
    const snapshot = await this.snapshots.current();
    const routing = resolveRequestRouting(request, snapshot);
    const selection: SelectionRequest = {
      estimatedInputTokens: estimateTokens(request.messages, { family: 'unknown', tools: request.tools }),
      maxOutputTokens: request.maxOutputTokens,
      requiresTools: request.tools !== undefined,
      requiresJsonMode: request.responseFormat === 'json',
      requiresStreaming: request.stream,
      pinnedModelId: routing.pinnedModelId,
      policyName: routing.policyName,
    };
    const budget = await planGatewayBudget(this.budgets, routing.context, call.decisionId);
    const selected = this.selection.select(snapshot, routing.context, selection, budget.selection);
    if (selected.candidates.length === 0) {
      this.remember(call.decisionId, selected, undefined);
      const budgetError = await budgetErrorForEmptySelection(this.budgets, routing.context, selected);
      if (budgetError !== undefined) throw budgetError;
      throw OpenAiError.noEligibleModel(selected.noEligibleModel?.reason ?? 'no model qualified.');
    }
    if (!routing.failover && pinnedRejectedByBudget(selected, routing)) {
      // The pinned model no longer fits a hard budget: that is a 429 naming the budget, not a 400.
      const budgetError = await budgetErrorForEmptySelection(this.budgets, routing.context, selected);
      if (budgetError !== undefined) throw budgetError;
    }
    const decision = routing.failover ? selected : withoutFailover(selected, routing);
    const temperature = temperatureFor(request.temperature, snapshot, decision);
    const chatRequest: ChatRequest = {
      messages: request.messages,
      maxOutputTokens: request.maxOutputTokens,
      temperature: temperature.applied,
      topP: request.topP,
      stop: request.stop,
      seed: request.seed,
      tools: request.tools,
      toolChoice: request.toolChoice,
      responseFormat: request.responseFormat,
    };
    const tracker = new SpeakerTracker();
    const execution = execute({
      decision,
      request: chatRequest,
      adapters: (modelId) => this.adapters.adapterFor(snapshot, modelId),
      registry: snapshot,
      signal: call.signal,
      deadlineMs: routing.context.latencyBudgetMs,
      circuits: this.breakers.registry,
      reselect: routing.failover
        ? (overflow) =>
            this.selection.select(
              snapshot,
              routing.context,
              {
                ...selection,
                estimatedInputTokens: Math.max(selection.estimatedInputTokens, overflow.estimatedInputTokens),
                excludeModelIds: overflow.excludeModelIds,
              },
              budget.selection,
            )
        : undefined,
      onEvent: tracker.listener,
      executionId: call.decisionId,
      admitAttempt: budget.admitAttempt,
    });
    const finish = (result: ExecutionResult | undefined, error: ExecutionError | undefined): void => {
      this.remember(call.decisionId, decision, result?.answeredBy);
      this.reporter.report({
        decisionId: call.decisionId,
        requestModel: routing.label,
        context: routing.context,
        stream: request.stream,
        apiKeyId: call.apiKeyId,
        startedAt,
        endedAt: this.clock.now(),
        result,
        error,
      });
    };
    execution.result.then(
      (result) => finish(result, undefined),
      (error: unknown) => finish(undefined, isExecutionError(error) ? error : undefined),
    );
    return {
      decisionId: call.decisionId,
      request,
      decision,
      execution,
      created: Math.floor(startedAt / 1000),
      headers:
        temperature.header === undefined ? {} : { 'x-switchboard-temperature-clamped': temperature.header },
      speaker: () => tracker.speaker(),
      usedFallback: () => tracker.usedFallback(),
    };
  }

  /**
   * Every model a client may name: the enabled registry models (on enabled providers), then
   * `switchboard/auto` and `switchboard/<policy>` for each policy.
   */
  async models(): Promise<ModelList> {
    const snapshot = await this.snapshots.current();
    const created = Math.floor(Date.parse(snapshot.createdAt) / 1000) || 0;
    const enabledProviders = new Set(
      snapshot.providers.filter((provider) => provider.enabled).map((provider) => provider.id),
    );
    const models = snapshot.models
      .filter((model) => model.enabled && enabledProviders.has(model.provider))
      .map((model) => ({ id: model.id, object: 'model' as const, created, owned_by: model.provider }));
    const virtual = virtualModelNames(snapshot).map((id) => ({
      id,
      object: 'model' as const,
      created,
      owned_by: 'switchboard',
    }));
    return { object: 'list', data: [...models, ...virtual] };
  }

  private remember(decisionId: string, decision: Decision, answeredBy: string | undefined): void {
    this.decisions.remember({
      decisionId,
      modelId: answeredBy ?? null,
      taskType: decision.taskType,
      riskLevel: decision.riskLevel,
      policyName: decision.policyName,
      snapshotVersion: decision.snapshotVersion,
      source: 'gateway',
      explanation: decision,
    });
  }
}

/** The request's model and routing input, checked against the registry. */
function resolveRequestRouting(request: ChatCompletionRequest, snapshot: RegistrySnapshot): ResolvedRouting {
  try {
    return resolveRouting(request.model, request.routing, snapshot, {
      model: 'model',
      policy: request.policyPath,
    });
  } catch (error) {
    if (!(error instanceof RoutingError)) throw error;
    throw error.kind === 'model-not-found'
      ? OpenAiError.modelNotFound(error.message)
      : OpenAiError.invalidRequest(error.issues);
  }
}

/** Whether the pinned model was left out of the decision because a hard budget has no room for it. */
function pinnedRejectedByBudget(decision: Decision, routing: ResolvedRouting): boolean {
  const pinned = routing.pinnedModelId;
  return (
    pinned !== undefined &&
    !decision.candidates.some((entry) => entry.modelId === pinned) &&
    decision.rejections.some((entry) => entry.modelId === pinned && entry.code === 'budget')
  );
}

/**
 * The decision with failover turned off: only the pinned model (which must have qualified), or only
 * the top candidate. Retries on that one model still happen; other models are never tried.
 */
function withoutFailover(decision: Decision, routing: ResolvedRouting): Decision {
  const pinned = routing.pinnedModelId;
  if (pinned === undefined) return { ...decision, candidates: decision.candidates.slice(0, 1) };
  const candidate = decision.candidates.find((entry) => entry.modelId === pinned);
  if (candidate === undefined) {
    const rejection = decision.rejections.find((entry) => entry.modelId === pinned);
    throw new OpenAiError(
      400,
      `The pinned model "${pinned}" may not serve this request and failover is off: ` +
        `${rejection?.reason ?? 'it did not qualify'}. Turn failover on (drop x-switchboard-failover: off / ` +
        'switchboard.failover: false) to let the policy choose another model, or change the request.',
      'invalid_request_error',
      'model',
      'model_not_eligible',
    );
  }
  return { ...decision, candidates: [candidate] };
}

/**
 * The caller's temperature overrides the decision's, but never above the ceiling the policy sets for
 * the risk level: a distressed player never gets a wild answer because a client asked for one. A
 * lowered temperature is announced in a header.
 */
function temperatureFor(
  requested: number | undefined,
  snapshot: RegistrySnapshot,
  decision: Decision,
): TemperatureChoice {
  if (requested === undefined) return { applied: undefined, header: undefined };
  const policy = engineRegistryFromSnapshot(snapshot).policyFor(decision);
  const ceiling = policy.riskRules[decision.riskLevel].maxTemperature;
  if (requested <= ceiling) return { applied: requested, header: undefined };
  return {
    applied: ceiling,
    header: `requested ${requested}, applied ${ceiling} (the ceiling of policy ${policy.name} at risk level ${decision.riskLevel})`,
  };
}
