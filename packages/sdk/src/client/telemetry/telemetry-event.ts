import type { ProviderErrorKind, RiskLevel, TaskType } from '@switchboard/core';
import { systemClock, type ClientClock } from '../client-clock.ts';

/**
 * The version of the {@link TelemetryEvent} shape. The control plane's ingest reads it first, so the
 * shape can grow without old SDKs' events being misread.
 */
export const telemetrySchemaVersion = 1;

/** How one attempt on one model ended. */
export type TelemetryAttemptOutcome =
  /** The model produced the whole answer (or the part the answer was stitched from). */
  | 'succeeded'
  /** The provider failed; `errorKind` says how. */
  | 'failed'
  /** Stopped by us: a hedge that lost the race, or the caller's abort. Providers may still bill it. */
  | 'cancelled';

/**
 * Token counts of one attempt as the provider reported them. `null` means the provider did not
 * say, which is not zero: the ledger must not price a missing count as free.
 */
export interface TelemetryUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  /** Prompt tokens served from the provider's cache. */
  cacheReadTokens: number | null;
  /** Prompt tokens written into the provider's cache. */
  cacheWriteTokens: number | null;
  /** Hidden reasoning tokens, already included in `outputTokens`. */
  reasoningTokens: number | null;
}

/**
 * What one attempt cost. `unknown` is explicit for the same reason as in core's `Cost`: a model
 * without a price, or an attempt without usage, must show up as unknown in analytics, never as free.
 */
export type TelemetryCost =
  { status: 'known'; micros: number } | { status: 'unknown'; reason: 'no-price' | 'no-usage' };

/** One attempt the engine made while answering a request, without any message content. */
export interface TelemetryAttempt {
  /** Registry model id. */
  modelId: string;
  /** Registry provider id. */
  provider: string;
  outcome: TelemetryAttemptOutcome;
  /** The classified failure, for `failed` (and `cancelled` when the cancellation was an abort). */
  errorKind: ProviderErrorKind | null;
  /** HTTP status of the failure, when the provider answered with one. */
  status: number | null;
  /** Whether this attempt was a hedge started beside a slow one, so hedging's cost can be audited. */
  hedge: boolean;
  /** When the attempt started, in milliseconds after the request started. */
  startedAfterMs: number;
  /** Time from the attempt's start to its first token; `null` when no token came. */
  timeToFirstTokenMs: number | null;
  /** Time from the attempt's start to its end. */
  durationMs: number;
  usage: TelemetryUsage;
  cost: TelemetryCost;
  /** The price list the cost was computed from; `null` for a model without a price. */
  priceVersion: string | null;
  /**
   * Whether the provider bills this attempt: true once it accepted the request (a cancelled hedge
   * that had started generating is billed), false when it never got that far (connection refused).
   */
  billed: boolean;
}

/** How the request as a whole ended. */
export type TelemetryOutcome =
  /** A model answered completely. */
  | 'answered'
  /** Every safe model failed at elevated or crisis risk and the configured safe message was sent. */
  | 'safe-message'
  /** Every candidate failed; the caller got an error. */
  | 'failed'
  /** Selection found no model that satisfies the request's constraints; nothing was called. */
  | 'no-eligible-model'
  /** The caller aborted the request. */
  | 'aborted';

/**
 * One request's record for the control plane's ledger and analytics. It carries ids, figures and
 * classifications, NEVER message content: no prompt, no answer, no provider error text (which can
 * quote the prompt). The control plane ingests it idempotently by `eventId`, so a batch that is
 * delivered twice (its acknowledgement was lost) is counted once.
 */
export interface TelemetryEvent {
  schemaVersion: typeof telemetrySchemaVersion;
  /** A UUID, fixed when the event is made and kept across every retry of its batch. */
  eventId: string;
  /** When the request finished, ISO 8601. */
  occurredAt: string;
  /** Id of the selection decision, which `feedback()` refers to later. */
  decisionId: string;
  /** The routing policy the decision applied. */
  policyName: string;
  /** The registry version the decision was made against. */
  snapshotVersion: number;
  taskType: TaskType;
  riskLevel: RiskLevel;
  playerId: string | null;
  sessionId: string | null;
  tenantId: string | null;
  /** Every attempt, in the order they started. Empty when nothing was called. */
  attempts: TelemetryAttempt[];
  /** Registry model id of the model whose text the caller got; `null` when none did. */
  answeredBy: string | null;
  outcome: TelemetryOutcome;
  /**
   * True when the answer did not come from the decision's first candidate on its first attempt:
   * a failover, a winning hedge, a continuation after a cut stream, or the safe message.
   */
  fallback: boolean;
  /** From the request's start to its end, in milliseconds. */
  totalLatencyMs: number;
}

/** The fields of an event that describe the request; the id, stamp and version are added for you. */
export type TelemetryEventFields = Omit<TelemetryEvent, 'schemaVersion' | 'eventId' | 'occurredAt'>;

/** Where a new event's id and time come from. */
export interface TelemetryEventSources {
  /** Makes the event id. Default: `crypto.randomUUID()`. Tests pass a counter for stable ids. */
  generateId?: (() => string) | undefined;
  clock?: ClientClock | undefined;
}

/** A fresh random UUID from the host's Web Crypto (Node 19+, browsers, edge runtimes). */
export function randomEventId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Stamps a request's facts as a telemetry event: a new id (kept across retries, so delivery can be
 * repeated safely), the time it occurred and the schema version.
 */
export function createTelemetryEvent(
  fields: TelemetryEventFields,
  sources: TelemetryEventSources = {},
): TelemetryEvent {
  const generateId = sources.generateId ?? randomEventId;
  const clock = sources.clock ?? systemClock;
  return {
    schemaVersion: telemetrySchemaVersion,
    eventId: generateId(),
    occurredAt: new Date(clock.now()).toISOString(),
    ...fields,
  };
}
