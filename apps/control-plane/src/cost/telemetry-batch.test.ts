import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { billedAttempt, telemetryEvent } from './__fixtures__/telemetry-events.ts';
import { eventSchemaV1, isExactEventV1, maxEventsPerBatch, parseTelemetryBatch } from './telemetry-batch.ts';

function refusal(body: unknown): ApiError {
  try {
    parseTelemetryBatch(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the batch to be refused');
}

describe('parseTelemetryBatch', () => {
  it('reads what the SDK sink sends, as JSON on the wire', () => {
    const events = [
      telemetryEvent(),
      telemetryEvent({ attempts: [], outcome: 'no-eligible-model', answeredBy: null }),
    ];
    expect(parseTelemetryBatch(JSON.parse(JSON.stringify({ events })))).toEqual(events);
  });

  it('ignores a field it does not know, so an additive SDK change does not lose whole batches', () => {
    const event = { ...telemetryEvent(), addedLater: true };
    expect(parseTelemetryBatch({ events: [event] })[0]!.eventId).toBe(event.eventId);
  });

  it('names each bad field with its place in the batch', () => {
    const error = refusal({
      events: [
        telemetryEvent(),
        telemetryEvent({
          taskType: 'juggling' as never,
          attempts: [billedAttempt({ cost: { status: 'known', micros: 1.5 } })],
        }),
      ],
    });
    expect(error.code).toBe('invalid_request');
    expect(error.issues?.map((issue) => issue.path)).toEqual([
      'events.1.taskType',
      'events.1.attempts.0.cost.micros',
    ]);
  });

  it('names an unknown schema version rather than its fields', () => {
    const error = refusal({ events: [{ ...telemetryEvent(), schemaVersion: 7, eventId: 3 }] });
    expect(error.issues).toEqual([
      { path: 'events.0.schemaVersion', message: expect.stringMatching(/7 is not supported/) },
    ]);
  });

  it('refuses a body that is not a batch, and a batch larger than the limit', () => {
    expect(refusal([]).issues?.[0]).toEqual({ path: '(root)', message: expect.stringMatching(/"events"/) });
    expect(
      refusal({ events: Array.from({ length: maxEventsPerBatch + 1 }, () => ({})) }).issues?.[0]?.path,
    ).toBe('events');
  });

  it('lists at most 20 issues for a batch of bad events', () => {
    const error = refusal({ events: Array.from({ length: 50 }, () => ({ schemaVersion: 1 })) });
    expect(error.issues).toHaveLength(20);
  });
});

describe('the fast path (isExactEventV1)', () => {
  const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  const valid = [
    telemetryEvent(),
    telemetryEvent({ attempts: [], outcome: 'no-eligible-model', answeredBy: null }),
    telemetryEvent({
      playerId: null,
      sessionId: null,
      tenantId: null,
      totalLatencyMs: 10.25,
      occurredAt: '2026-02-28T23:59:59.123456+05:30',
      attempts: [
        billedAttempt({
          outcome: 'failed',
          errorKind: 'server',
          status: 503,
          billed: false,
          timeToFirstTokenMs: null,
          cost: { status: 'unknown', reason: 'no-usage' },
          priceVersion: '',
        }),
        billedAttempt({ hedge: true, outcome: 'cancelled', durationMs: 0.5 }),
      ],
    }),
  ];

  it('takes well-formed events as zod would return them', () => {
    for (const event of valid) {
      const body = wire(event);
      expect(isExactEventV1(body)).toBe(true);
      expect(eventSchemaV1.parse(body)).toEqual(body);
    }
  });

  it('leaves an event with a field zod would strip to zod, which keeps the event without it', () => {
    const event = { ...telemetryEvent(), addedLater: true };
    expect(isExactEventV1(event)).toBe(false);
    expect(parseTelemetryBatch({ events: [event] })[0]).not.toHaveProperty('addedLater');
  });

  /** Values that break or bend a field: wrong types, bounds, enum misses, extra and missing keys. */
  const oddValues: unknown[] = [
    null,
    undefined,
    '',
    'x'.repeat(200),
    'x'.repeat(201),
    'NULL',
    0,
    -1,
    1.5,
    99,
    100,
    599,
    600,
    2_147_483_647,
    2_147_483_648,
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
    true,
    false,
    {},
    [],
    [{}],
    'known',
    'unknown',
    'no-price',
    'server',
    'failed',
    'answered',
    '2026-01-01T12:00:00Z',
    '2026-01-01T12:00Z',
    '2026-02-30T12:00:00Z',
    { status: 'known', micros: 5 },
    { status: 'known', micros: 5, extra: 1 },
    { status: 'unknown', reason: 'no-price' },
    { status: 'unknown', micros: 5 },
  ];

  /** Every path to a field of `value` (objects and arrays), as key lists. */
  function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== 'object' || value === null) return [];
    const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
    return keys.flatMap((key) => [
      [...prefix, key],
      ...pathsOf((value as Record<string | number, unknown>)[key], [...prefix, key]),
    ]);
  }

  function withValue(value: unknown, path: (string | number)[], replacement: unknown): unknown {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let target = copy;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (replacement === undefined) delete target[last];
    else target[last] = replacement;
    return copy;
  }

  it('accepts nothing zod refuses, and returns what zod returns, for any one field changed', () => {
    const template = wire(valid[2]) as object;
    const paths = pathsOf(template);
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.constantFrom(...oddValues),
        fc.boolean(),
        (path, replacement, addKey) => {
          let event = withValue(template, path, replacement);
          if (addKey) event = withValue(event, [...path.slice(0, -1), 'extra'], 1);
          const zod = eventSchemaV1.safeParse(event);
          if (isExactEventV1(event)) {
            expect(zod.success).toBe(true);
            expect(zod.data).toEqual(event);
          }
          // Whichever path decides, the batch answer is zod's.
          const batch = (() => {
            try {
              return { events: parseTelemetryBatch({ events: [event] }) };
            } catch (error) {
              return { refused: (error as ApiError).issues };
            }
          })();
          if (zod.success) expect(batch).toEqual({ events: [zod.data] });
          else expect(batch).toHaveProperty('refused');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
