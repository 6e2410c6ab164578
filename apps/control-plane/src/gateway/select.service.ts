import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { estimateTokens, type ChatMessage, type Decision, type RegistrySnapshot } from '@switchboard/core';
import { z } from 'zod';
import { CurrentSnapshotService } from '../decisions/current-snapshot.service.ts';
import { DecisionStore } from '../decisions/decision-store.ts';
import { resolveRouting, RoutingError } from '../decisions/resolve-routing.ts';
import { readRoutingObject, type RoutingInput } from '../decisions/routing-input.ts';
import { SelectionService } from '../decisions/selection.service.ts';
import { ApiError, formatIssuePath, type ApiIssue } from '../errors/api-error.ts';
import { parseChatMessages } from './chat-completion-request.ts';

/** What `POST /v1/select` answers: the decision, under an id that `/v1/feedback` accepts. */
export type SelectResponse = { decisionId: string } & Decision;

const tokenCount = (what: string, minimum: number) =>
  z
    .number({ error: `expected a whole number of ${what} (${minimum} or more)` })
    .int(`expected a whole number of ${what} (${minimum} or more)`)
    .min(minimum, `expected a whole number of ${what} (${minimum} or more)`);

/** The body of `POST /v1/select`, except the parts read by their own parsers (context, messages). */
const selectBodySchema = z.strictObject({
  context: z.unknown().optional(),
  messages: z.unknown().optional(),
  estimatedInputTokens: tokenCount('prompt tokens', 0).optional(),
  maxOutputTokens: tokenCount('output tokens', 1).max(10_000_000, 'expected at most 10000000').optional(),
  requires: z
    .strictObject({
      tools: z.boolean({ error: 'expected true or false' }).optional(),
      json: z.boolean({ error: 'expected true or false' }).optional(),
      streaming: z.boolean({ error: 'expected true or false' }).optional(),
    })
    .optional(),
  model: z
    .string({ error: 'expected "switchboard/auto", "switchboard/<policy>" or a registry model id' })
    .min(1, 'expected "switchboard/auto", "switchboard/<policy>" or a registry model id')
    .max(300, 'expected at most 300 characters')
    .optional(),
});

/** The body's own fields, once valid. */
export type SelectBody = z.output<typeof selectBodySchema>;

/** The body's own fields, or what is wrong with them (`request` undefined). */
export interface SelectBodyReading {
  request: SelectBody | undefined;
  issues: ApiIssue[];
}

const bodyKeys = new Set(Object.keys(selectBodySchema.shape));
const requirementKeys = new Set(['tools', 'json', 'streaming']);

const isAbsentOrWhole = (value: unknown, minimum: number, maximum: number): boolean =>
  value === undefined ||
  (typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum && value <= maximum);

/**
 * The body as it is when {@link selectBodySchema} certainly accepts it, checked by hand; else
 * `undefined`, and the schema decides. Every select request is parsed, and zod's general
 * interpreter costs more than this check; the schema stays the one definition of what is valid
 * and of every message (`select.service.test.ts` holds the two together).
 */
function quickSelectBody(body: Record<string, unknown>): SelectBody | undefined {
  for (const key in body) if (!bodyKeys.has(key)) return undefined;
  if (!isAbsentOrWhole(body.estimatedInputTokens, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (!isAbsentOrWhole(body.maxOutputTokens, 1, 10_000_000)) return undefined;
  const model = body.model;
  if (model !== undefined && !(typeof model === 'string' && model.length >= 1 && model.length <= 300)) {
    return undefined;
  }
  const requires = body.requires;
  if (requires !== undefined) {
    if (typeof requires !== 'object' || requires === null || Array.isArray(requires)) return undefined;
    const flags = requires as Record<string, unknown>;
    for (const key in flags) {
      if (!requirementKeys.has(key)) return undefined;
      const flag = flags[key];
      if (flag !== undefined && typeof flag !== 'boolean') return undefined;
    }
  }
  return body as SelectBody;
}

/** Reads the body's own fields (not `context` or `messages`, which have their own readers). */
export function readSelectBody(body: Record<string, unknown>): SelectBodyReading {
  const quick = quickSelectBody(body);
  if (quick !== undefined) return { request: quick, issues: [] };
  return readSelectBodyWithSchema(body);
}

/** {@link readSelectBody} by the schema alone: the reference the quick check is tested against. */
export function readSelectBodyWithSchema(body: Record<string, unknown>): SelectBodyReading {
  const parsed = selectBodySchema.safeParse(body);
  return parsed.success
    ? { request: parsed.data, issues: [] }
    : { request: undefined, issues: parsed.error.issues.flatMap(issuesOf) };
}

/**
 * `/v1/select`: the decision the gateway would make for a request, without calling a model. For
 * game services that run the engine themselves but want the control plane's view, and for people
 * asking "why this model?". The decision is remembered like a gateway's, so feedback on it counts.
 *
 * Body: `context` (the gateway's `switchboard` object, short or core's names), the prompt as
 * `messages` (OpenAI format) or `estimatedInputTokens`, `maxOutputTokens`, `requires: { tools,
 * json, streaming }`, and `model` (a pin or a policy, as in the gateway). `context.failover` is
 * accepted and has no effect here: the decision lists the policy's failover order either way.
 */
@Injectable()
export class SelectService {
  constructor(
    @Inject(CurrentSnapshotService) private readonly snapshots: CurrentSnapshotService,
    @Inject(SelectionService) private readonly selection: SelectionService,
    @Inject(DecisionStore) private readonly decisions: DecisionStore,
  ) {}

  /** A decision for the body; 400 naming each bad field, 404 for an unknown or disabled model. */
  async select(body: unknown): Promise<SelectResponse> {
    const checked = checkSelectBody(body);
    // Held nearly always; awaiting only when a load is due spares the hot route two promises.
    const snapshot = this.snapshots.currentIfHeld() ?? (await this.snapshots.current());
    const decision = this.decide(checked, snapshot);
    const decisionId = randomUUID();
    this.decisions.remember({
      decisionId,
      modelId: decision.candidates[0]?.modelId ?? null,
      taskType: decision.taskType,
      riskLevel: decision.riskLevel,
      policyName: decision.policyName,
      snapshotVersion: decision.snapshotVersion,
      source: 'select',
      explanation: decision,
    });
    return { decisionId, ...decision };
  }

  private decide(checked: CheckedSelectBody, snapshot: RegistrySnapshot): Decision {
    const { request, routing, messages } = checked;
    let resolved;
    try {
      resolved = resolveRouting(request.model, routing, snapshot, {
        model: 'model',
        policy: 'context.policy',
      });
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      throw error.kind === 'model-not-found'
        ? ApiError.notFound(error.message)
        : ApiError.invalidRequest(error.issues);
    }
    return this.selection.select(snapshot, resolved.context, {
      estimatedInputTokens:
        messages === undefined
          ? (request.estimatedInputTokens ?? 0)
          : estimateTokens(messages, { family: 'unknown' }),
      maxOutputTokens: request.maxOutputTokens,
      requiresTools: request.requires?.tools,
      requiresJsonMode: request.requires?.json,
      requiresStreaming: request.requires?.streaming,
      pinnedModelId: resolved.pinnedModelId,
      policyName: resolved.policyName,
    });
  }
}

/** A body whose every part was read without issues. */
interface CheckedSelectBody {
  request: SelectBody;
  routing: RoutingInput;
  messages: ChatMessage[] | undefined;
}

/** The body's parts; throws a 400 naming every bad field. */
function checkSelectBody(body: unknown): CheckedSelectBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.invalidRequest([
      {
        path: '(root)',
        message:
          'expected a JSON object such as {"context":{"task":"dialogue_generation"},"estimatedInputTokens":800}',
      },
    ]);
  }
  const raw = body as Record<string, unknown>;
  const { request, issues } = readSelectBody(raw);
  const routing = readRoutingObject(raw.context, 'context');
  for (const issue of routing.issues) issues.push(issue);
  const messages = messagesOf(raw, issues);
  if (request === undefined || issues.length > 0) throw ApiError.invalidRequest(issues);
  return { request, routing: routing.routing, messages };
}

/** The conversation, when sent; exactly one of `messages` and `estimatedInputTokens` must be. */
function messagesOf(body: Record<string, unknown>, issues: ApiIssue[]): ChatMessage[] | undefined {
  const hasMessages = body.messages !== undefined;
  const hasEstimate = body.estimatedInputTokens !== undefined;
  if (hasMessages === hasEstimate) {
    issues.push({
      path: hasMessages ? 'estimatedInputTokens' : 'messages',
      message: hasMessages
        ? 'send either messages or estimatedInputTokens, not both'
        : 'required: the conversation as messages (OpenAI format), or its size as estimatedInputTokens',
    });
    return undefined;
  }
  if (!hasMessages) return undefined;
  const read = parseChatMessages(body.messages, 'messages');
  issues.push(...read.issues);
  return read.messages;
}

/** A zod issue as ours; an unknown key becomes one issue per key, at that key's path. */
function issuesOf(issue: z.core.$ZodIssue): ApiIssue[] {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? Object.keys(selectBodySchema.shape) : ['tools', 'json', 'streaming'];
    return issue.keys.map((key) => ({
      path: formatIssuePath([...path, key]),
      message: `unknown field; expected one of ${known.join(', ')}`,
    }));
  }
  return [{ path: formatIssuePath(path), message: issue.message }];
}
