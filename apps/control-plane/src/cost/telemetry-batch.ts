import { providerErrorKinds, riskLevels, taskTypes } from '@switchboard/core';
import type { TelemetryEvent } from '@switchboard/sdk';
import { telemetrySchemaVersion } from '@switchboard/sdk';
import { z } from 'zod';
import { ApiError, formatIssuePath, type ApiIssue } from '../errors/api-error.ts';

/** Most events one `POST /v1/telemetry` may carry; the SDK sends 100 by default. */
export const maxEventsPerBatch = 1000;

/** Most issues listed in one 400, so a batch of a thousand bad events does not answer megabytes. */
const maxListedIssues = 20;

/** The schema versions this control plane reads. */
export const supportedSchemaVersions: readonly number[] = [telemetrySchemaVersion];

const id = (what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .min(1, `expected ${what}`)
    .max(200, 'at most 200 characters');
const nullableId = (what: string) => id(what).nullable();
/**
 * Milliseconds; a fractional value (a host clock with sub-millisecond precision) is accepted, not
 * refused, and rounded when the ledger row is made (a zod transform here would double parse time).
 */
const milliseconds = z
  .number({ error: 'expected milliseconds' })
  .min(0, 'expected milliseconds of at least 0')
  .max(2_147_483_647, 'expected fewer milliseconds');
const tokens = z
  .number({ error: 'expected a token count or null' })
  .int('expected a whole token count')
  .min(0, 'expected a token count of at least 0')
  .nullable();

const usageSchema = z.object({
  inputTokens: tokens,
  outputTokens: tokens,
  cacheReadTokens: tokens,
  cacheWriteTokens: tokens,
  reasoningTokens: tokens,
});

const costSchema = z.discriminatedUnion(
  'status',
  [
    z.object({
      status: z.literal('known'),
      micros: z
        .number({ error: 'expected integer micro-dollars' })
        .int('expected integer micro-dollars')
        .min(0, 'expected micro-dollars of at least 0')
        .max(Number.MAX_SAFE_INTEGER, 'expected fewer micro-dollars'),
    }),
    z.object({ status: z.literal('unknown'), reason: z.enum(['no-price', 'no-usage']) }),
  ],
  { error: 'expected { "status": "known", "micros": … } or { "status": "unknown", "reason": … }' },
);

const attemptSchema = z.object({
  modelId: id('a registry model id'),
  provider: id('a registry provider id'),
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  errorKind: z.enum(providerErrorKinds).nullable(),
  status: z.number().int().min(100).max(599).nullable(),
  hedge: z.boolean(),
  startedAfterMs: milliseconds,
  timeToFirstTokenMs: milliseconds.nullable(),
  durationMs: milliseconds,
  usage: usageSchema,
  cost: costSchema,
  priceVersion: z.string().max(200, 'at most 200 characters').nullable(),
  billed: z.boolean(),
});

/**
 * One event of schema version 1, as `telemetry-event.ts` in the SDK defines it. Not strict about
 * extra fields: an SDK that adds an optional field without a new `schemaVersion` must not lose its
 * whole batch (the sink drops a batch on any 4xx); the version, read first, governs meaning.
 */
export const eventSchemaV1 = z.object({
  schemaVersion: z.literal(1),
  eventId: id('the event id'),
  occurredAt: z.iso.datetime({
    offset: true,
    error: 'expected an ISO 8601 time such as 2026-01-01T12:00:00Z',
  }),
  decisionId: id('the decision id'),
  policyName: id('the policy name'),
  snapshotVersion: z.number().int().min(0).max(2_147_483_647),
  taskType: z.enum(taskTypes),
  riskLevel: z.enum(riskLevels),
  playerId: nullableId('a player id'),
  sessionId: nullableId('a session id'),
  tenantId: nullableId('a tenant id'),
  attempts: z.array(attemptSchema).max(100, 'at most 100 attempts per request'),
  answeredBy: nullableId('a registry model id'),
  outcome: z.enum(['answered', 'safe-message', 'failed', 'no-eligible-model', 'aborted']),
  fallback: z.boolean(),
  totalLatencyMs: milliseconds,
});

const batchSchema = z.object(
  {
    events: z
      .array(z.unknown(), { error: 'expected { "events": [ … ] }, as the SDK telemetry sink sends' })
      .max(maxEventsPerBatch, `expected at most ${maxEventsPerBatch} events per batch; send smaller batches`),
  },
  { error: 'expected a JSON object { "events": [ … ] }, as the SDK telemetry sink sends' },
);

/**
 * Reads the body of `POST /v1/telemetry`: `{ "events": [...] }` from the SDK's HTTP sink. Each event's
 * `schemaVersion` is read first, so an event of a version this control plane does not know is named
 * as such rather than as a pile of field errors. Any bad event rejects the whole batch (400 naming
 * each field, `events.3.attempts.0.cost`), so that nothing of a refused batch is stored.
 */
export function parseTelemetryBatch(body: unknown): TelemetryEvent[] {
  const batch = batchSchema.safeParse(body);
  if (!batch.success) throw invalid(batch.error.issues, []);
  const events: TelemetryEvent[] = [];
  const issues: ApiIssue[] = [];
  batch.data.events.forEach((raw, index) => {
    if (issues.length >= maxListedIssues) return;
    const version =
      typeof raw === 'object' && raw !== null
        ? (raw as { schemaVersion?: unknown }).schemaVersion
        : undefined;
    if (typeof version !== 'number' || !supportedSchemaVersions.includes(version)) {
      issues.push({
        path: `events.${index}.schemaVersion`,
        message:
          `schema version ${JSON.stringify(version ?? null)} is not supported; this control plane reads ` +
          `${supportedSchemaVersions.join(', ')}: upgrade the control plane or use a matching SDK`,
      });
      return;
    }
    if (isExactEventV1(raw)) {
      events.push(raw);
      return;
    }
    const parsed = eventSchemaV1.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
    else issues.push(...toIssues(parsed.error.issues, ['events', index]));
  });
  if (issues.length > 0) {
    throw ApiError.invalidRequest(
      issues.slice(0, maxListedIssues),
      'The telemetry batch was refused, nothing of it is stored',
    );
  }
  return events;
}

/*
 * The fast path. Ingest parses every event of every batch, and zod (a general interpreter that
 * copies each object it reads) was a large share of the CPU an event costs. These hand-written
 * checks accept only what `eventSchemaV1` accepts AND has no field it would strip, so for such an
 * event zod's answer is the event itself and it is used as is. Anything else (a bad event, an extra
 * field, a case these checks do not know) goes to zod, which decides and words the 400, so error
 * messages and what is accepted stay exactly zod's. `telemetry-batch.test.ts` holds the two to that.
 */

const taskTypeSet: ReadonlySet<unknown> = new Set(taskTypes);
const riskLevelSet: ReadonlySet<unknown> = new Set(riskLevels);
const errorKindSet: ReadonlySet<unknown> = new Set(providerErrorKinds);
const eventOutcomes: ReadonlySet<unknown> = new Set([
  'answered',
  'safe-message',
  'failed',
  'no-eligible-model',
  'aborted',
]);
const attemptOutcomes: ReadonlySet<unknown> = new Set(['succeeded', 'failed', 'cancelled']);
const unknownCostReasons: ReadonlySet<unknown> = new Set(['no-price', 'no-usage']);
/** The very expression `z.iso.datetime({ offset: true })` tests with. */
const isoDateTime = z.core.regexes.datetime({ offset: true });

/** Own enumerable keys (a parsed JSON object has no inherited ones). */
function keyCount(value: object): number {
  let count = 0;
  for (const _key in value) count += 1;
  return count;
}

/** A plain object with exactly `keys` fields (the caller checks each by name, so none is missing). */
function isRecordOf(value: unknown, keys: number): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && keyCount(value) === keys;
}

const isId = (value: unknown): boolean =>
  typeof value === 'string' && value.length >= 1 && value.length <= 200;
const isNullableId = (value: unknown): boolean => value === null || isId(value);
const isWhole = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
const isMilliseconds = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 2_147_483_647;
const isTokens = (value: unknown): boolean => value === null || isWhole(value, 0, Number.MAX_SAFE_INTEGER);

function isExactUsage(value: unknown): boolean {
  return (
    isRecordOf(value, 5) &&
    isTokens(value.inputTokens) &&
    isTokens(value.outputTokens) &&
    isTokens(value.cacheReadTokens) &&
    isTokens(value.cacheWriteTokens) &&
    isTokens(value.reasoningTokens)
  );
}

function isExactCost(value: unknown): boolean {
  if (!isRecordOf(value, 2)) return false;
  if (value.status === 'known') return isWhole(value.micros, 0, Number.MAX_SAFE_INTEGER);
  return value.status === 'unknown' && unknownCostReasons.has(value.reason);
}

function isExactAttempt(value: unknown): boolean {
  return (
    isRecordOf(value, 13) &&
    isId(value.modelId) &&
    isId(value.provider) &&
    attemptOutcomes.has(value.outcome) &&
    (value.errorKind === null || errorKindSet.has(value.errorKind)) &&
    (value.status === null || isWhole(value.status, 100, 599)) &&
    typeof value.hedge === 'boolean' &&
    isMilliseconds(value.startedAfterMs) &&
    (value.timeToFirstTokenMs === null || isMilliseconds(value.timeToFirstTokenMs)) &&
    isMilliseconds(value.durationMs) &&
    isExactUsage(value.usage) &&
    isExactCost(value.cost) &&
    (value.priceVersion === null ||
      (typeof value.priceVersion === 'string' && value.priceVersion.length <= 200)) &&
    typeof value.billed === 'boolean'
  );
}

/** True when `eventSchemaV1` would accept `value` and return it unchanged (see above). */
export function isExactEventV1(value: unknown): value is TelemetryEvent {
  if (!(
    isRecordOf(value, 16) &&
    value.schemaVersion === 1 &&
    isId(value.eventId) &&
    typeof value.occurredAt === 'string' &&
    isoDateTime.test(value.occurredAt) &&
    isId(value.decisionId) &&
    isId(value.policyName) &&
    isWhole(value.snapshotVersion, 0, 2_147_483_647) &&
    taskTypeSet.has(value.taskType) &&
    riskLevelSet.has(value.riskLevel) &&
    isNullableId(value.playerId) &&
    isNullableId(value.sessionId) &&
    isNullableId(value.tenantId) &&
    isNullableId(value.answeredBy) &&
    eventOutcomes.has(value.outcome) &&
    typeof value.fallback === 'boolean' &&
    isMilliseconds(value.totalLatencyMs) &&
    Array.isArray(value.attempts) &&
    value.attempts.length <= 100
  )) {
    return false;
  }
  for (const attempt of value.attempts as unknown[]) if (!isExactAttempt(attempt)) return false;
  return true;
}

function toIssues(zodIssues: readonly z.core.$ZodIssue[], prefix: (string | number)[]): ApiIssue[] {
  return zodIssues.map((issue) => ({
    path: formatIssuePath([
      ...prefix,
      ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    ]),
    message: issue.message,
  }));
}

function invalid(zodIssues: readonly z.core.$ZodIssue[], prefix: (string | number)[]): ApiError {
  return ApiError.invalidRequest(
    toIssues(zodIssues, prefix).slice(0, maxListedIssues),
    'The telemetry batch was refused, nothing of it is stored',
  );
}
