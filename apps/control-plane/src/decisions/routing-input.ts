import type { IncomingHttpHeaders } from 'node:http';
import {
  privacyRequirements,
  riskLevels,
  sessionPhases,
  taskTypes,
  type TherapeuticContextInput,
} from '@switchboard/core';
import { z } from 'zod';
import type { ApiIssue } from '../errors/api-error.ts';

/**
 * What a request says about how to route it, besides its model name: the therapeutic context (in
 * core's field names), the policy to apply, and whether failover may leave a pinned model.
 */
export interface RoutingInput {
  /** Only the fields the request set; core's defaults fill the rest. */
  context: TherapeuticContextInput;
  /** A policy name; `undefined`: the policy the model name implies, else the task's. */
  policy: string | undefined;
  /** `false` turns failover off; `undefined` leaves it on. */
  failover: boolean | undefined;
}

/** A routing input and what was wrong with it (empty when nothing was). */
export interface RoutingReading {
  routing: RoutingInput;
  issues: ApiIssue[];
}

const unitInterval = (what: string) =>
  z
    .number({ error: `expected ${what} as a number from 0 to 1` })
    .min(0, `expected ${what} as a number from 0 to 1`)
    .max(1, `expected ${what} as a number from 0 to 1`);

const identifier = (example: string) =>
  z
    .string({ error: `expected a string id such as "${example}"` })
    .min(1, `expected a non-empty id such as "${example}"`)
    .max(200, 'expected at most 200 characters');

/** The schema of each context field, under core's name. Exported for tests. */
export const contextFieldSchemas = {
  taskType: z.enum(taskTypes, { error: `expected one of ${taskTypes.join(', ')}` }),
  riskLevel: z.enum(riskLevels, { error: `expected one of ${riskLevels.join(', ')}` }),
  emotionalIntensity: unitInterval('the emotional intensity (0 calm, 1 intense)'),
  sessionPhase: z.enum(sessionPhases, { error: `expected one of ${sessionPhases.join(', ')}` }),
  creativity: unitInterval('the creativity (0 fastest adequate answer, 1 most creative)'),
  latencyBudgetMs: z
    .number({ error: 'expected a whole number of milliseconds greater than 0' })
    .int('expected a whole number of milliseconds greater than 0')
    .positive('expected a whole number of milliseconds greater than 0'),
  costCeilingMicros: z
    .number({ error: 'expected a whole number of micro-dollars (0 or more)' })
    .int('expected a whole number of micro-dollars (0 or more)')
    .nonnegative('expected a whole number of micro-dollars (0 or more)'),
  privacy: z.enum(privacyRequirements, { error: `expected one of ${privacyRequirements.join(', ')}` }),
  playerId: identifier('player-42'),
  sessionId: identifier('session-7'),
  tenantId: identifier('studio-eu'),
} as const;

type ContextField = keyof typeof contextFieldSchemas;

/** The short names the `switchboard` body field and the headers use, and core's name for each. */
const shortNames = {
  task: 'taskType',
  risk: 'riskLevel',
  intensity: 'emotionalIntensity',
  phase: 'sessionPhase',
  player: 'playerId',
  session: 'sessionId',
  tenant: 'tenantId',
} as const satisfies Record<string, ContextField>;

/** Exported for tests. */
export const policySchema = z
  .string({ error: 'expected a policy name such as "narrative_generation"' })
  .min(1, 'expected a policy name such as "narrative_generation"')
  .max(100, 'expected at most 100 characters');
/** Exported for tests. */
export const failoverSchema = z.boolean({ error: 'expected true or false' });

const isWholeNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);
const isUnitInterval = (value: unknown): boolean => typeof value === 'number' && value >= 0 && value <= 1;
const isStringOfLength = (value: unknown, maximum: number): boolean =>
  typeof value === 'string' && value.length >= 1 && value.length <= maximum;
const isOneOf = (allowed: readonly string[]) => {
  const set = new Set<unknown>(allowed);
  return (value: unknown): boolean => set.has(value);
};

/**
 * Values each schema certainly accepts and returns unchanged, recognised without zod: every
 * routed request reads its context, and zod's general interpreter costs more than the check. A
 * value that fails the quick check goes to the schema, which decides, and words every message;
 * `routing-input.test.ts` checks that whatever passes here the schema accepts unchanged too.
 */
const quickChecks = new Map<z.ZodType, (value: unknown) => boolean>([
  [contextFieldSchemas.taskType, isOneOf(taskTypes)],
  [contextFieldSchemas.riskLevel, isOneOf(riskLevels)],
  [contextFieldSchemas.emotionalIntensity, isUnitInterval],
  [contextFieldSchemas.sessionPhase, isOneOf(sessionPhases)],
  [contextFieldSchemas.creativity, isUnitInterval],
  [contextFieldSchemas.latencyBudgetMs, (value) => isWholeNumber(value) && value > 0],
  [contextFieldSchemas.costCeilingMicros, (value) => isWholeNumber(value) && value >= 0],
  [contextFieldSchemas.privacy, isOneOf(privacyRequirements)],
  [contextFieldSchemas.playerId, (value) => isStringOfLength(value, 200)],
  [contextFieldSchemas.sessionId, (value) => isStringOfLength(value, 200)],
  [contextFieldSchemas.tenantId, (value) => isStringOfLength(value, 200)],
  [policySchema, (value) => isStringOfLength(value, 100)],
  [failoverSchema, (value) => typeof value === 'boolean'],
]);

/** Whether `schema` certainly accepts `value` unchanged (false: ask the schema). Exported for tests. */
export function passesQuickCheck(schema: z.ZodType, value: unknown): boolean {
  return quickChecks.get(schema)?.(value) ?? false;
}

/** Every key the `switchboard` object accepts: short names, core's names, `policy` and `failover`. */
const acceptedKeys: readonly string[] = [
  ...Object.keys(shortNames),
  ...Object.keys(contextFieldSchemas),
  'policy',
  'failover',
];

/** An example of the object, for error messages. */
const example = '{"task":"narrative_generation","risk":"low","creativity":0.7}';

/**
 * Reads the `switchboard` object of a request body (or the `context` of `/v1/select`). Both the
 * short names (`task`, `risk`, `intensity`, `phase`, `player`, `session`, `tenant`) and core's
 * `TherapeuticContext` names (`taskType`, `riskLevel`, ...) are accepted; `creativity`, `privacy`,
 * `latencyBudgetMs` and `costCeilingMicros` are the same in both. A field given under both names
 * with different values, an unknown key or a bad value is an issue naming the field, with `path`
 * (such as `switchboard`) as its prefix. `undefined` and `null` mean "nothing said".
 */
export function readRoutingObject(value: unknown, path: string): RoutingReading {
  const routing: RoutingInput = { context: {}, policy: undefined, failover: undefined };
  const issues: ApiIssue[] = [];
  if (value === undefined || value === null) return { routing, issues };
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ path, message: `expected an object such as ${example}` });
    return { routing, issues };
  }
  const record = value as Record<string, unknown>;
  const context: Record<string, unknown> = {};
  const givenAs: Partial<Record<ContextField, string>> = {};
  for (const [key, fieldValue] of Object.entries(record)) {
    if (fieldValue === undefined) continue;
    const fieldPath = `${path}.${key}`;
    if (key === 'policy') {
      collect(policySchema, fieldValue, fieldPath, issues, (parsed) => (routing.policy = parsed));
      continue;
    }
    if (key === 'failover') {
      collect(failoverSchema, fieldValue, fieldPath, issues, (parsed) => (routing.failover = parsed));
      continue;
    }
    const field: ContextField | undefined =
      key in shortNames
        ? shortNames[key as keyof typeof shortNames]
        : key in contextFieldSchemas
          ? (key as ContextField)
          : undefined;
    if (field === undefined) {
      issues.push({ path: fieldPath, message: `unknown field; expected one of ${acceptedKeys.join(', ')}` });
      continue;
    }
    collect(contextFieldSchemas[field], fieldValue, fieldPath, issues, (parsed) => {
      const earlier = givenAs[field];
      if (earlier !== undefined && context[field] !== parsed) {
        issues.push({
          path: fieldPath,
          message: `conflicts with ${path}.${earlier}, which names the same field with another value; send one of them`,
        });
        return;
      }
      givenAs[field] = key;
      context[field] = parsed;
    });
  }
  routing.context = context as TherapeuticContextInput;
  return { routing, issues };
}

/** The headers that carry routing, and the field each sets. */
const routingHeaders = {
  'x-switchboard-task': 'taskType',
  'x-switchboard-risk': 'riskLevel',
  'x-switchboard-creativity': 'creativity',
  'x-switchboard-privacy': 'privacy',
  'x-switchboard-player': 'playerId',
  'x-switchboard-session': 'sessionId',
  'x-switchboard-tenant': 'tenantId',
} as const satisfies Record<string, ContextField>;

/** The header values that mean "failover off" and "on". */
const failoverOff = new Set(['off', 'false', '0', 'no']);
const failoverOn = new Set(['on', 'true', '1', 'yes']);

/**
 * Reads the routing headers: `x-switchboard-task`, `-risk`, `-creativity`, `-privacy`, `-player`,
 * `-session`, `-tenant`, `-policy` and `-failover` (`off`/`on`), for clients that cannot add a body field
 * (LiteLLM's `extra_headers`, proxies). A bad value is an issue whose path is the header's name.
 */
export function readRoutingHeaders(headers: IncomingHttpHeaders): RoutingReading {
  const routing: RoutingInput = { context: {}, policy: undefined, failover: undefined };
  const issues: ApiIssue[] = [];
  const context: Record<string, unknown> = {};
  for (const [header, field] of Object.entries(routingHeaders)) {
    const raw = single(headers[header]);
    if (raw === undefined) continue;
    const value = field === 'creativity' ? numberOrText(raw) : raw;
    collect(contextFieldSchemas[field], value, header, issues, (parsed) => (context[field] = parsed));
  }
  const policy = single(headers['x-switchboard-policy']);
  if (policy !== undefined) {
    collect(policySchema, policy, 'x-switchboard-policy', issues, (parsed) => (routing.policy = parsed));
  }
  const failover = single(headers['x-switchboard-failover'])?.toLowerCase();
  if (failover !== undefined) {
    if (failoverOff.has(failover)) routing.failover = false;
    else if (failoverOn.has(failover)) routing.failover = true;
    else issues.push({ path: 'x-switchboard-failover', message: 'expected "off" or "on"' });
  }
  routing.context = context as TherapeuticContextInput;
  return { routing, issues };
}

/** The two readings together: what the body says wins, the headers fill in what it leaves unsaid. */
export function mergeRouting(body: RoutingInput, headers: RoutingInput): RoutingInput {
  return {
    context: { ...headers.context, ...body.context },
    policy: body.policy ?? headers.policy,
    failover: body.failover ?? headers.failover,
  };
}

function collect<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  path: string,
  issues: ApiIssue[],
  accept: (parsed: z.output<Schema>) => void,
): void {
  if (passesQuickCheck(schema, value)) {
    accept(value as z.output<Schema>);
    return;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) accept(parsed.data);
  else issues.push({ path, message: parsed.error.issues[0]?.message ?? 'invalid value' });
}

/** A header's value when it was sent once and is not blank. */
function single(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function numberOrText(text: string): number | string {
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}
