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
const eventSchemaV1 = z.object({
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
