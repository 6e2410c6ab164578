import {
  telemetryOfFailure,
  telemetryOfResult,
  telemetrySchemaVersion,
  type ExecutionTelemetryFacts,
  type TelemetryEvent,
} from '@switchboard/sdk';
import type { GatewayOutcome } from '../gateway/gateway-outcome.reporter.ts';

/**
 * A gateway request as a telemetry event (source `gateway`), so the ledger, analytics and every
 * traffic listener see gateway and SDK traffic alike. `undefined` when the request ended before a
 * decision was made (nothing was called, nothing can be attributed). The mapping is the SDK
 * client's own (`telemetryOfResult`, `telemetryOfFailure`), so both hosts report alike.
 */
export function telemetryEventOfGatewayOutcome(
  outcome: GatewayOutcome,
  eventId: string,
): TelemetryEvent | undefined {
  const facts: ExecutionTelemetryFacts = {
    decisionId: outcome.decisionId,
    context: outcome.context,
    sessionId: undefined,
    startedAt: outcome.startedAt,
    endedAt: outcome.endedAt,
  };
  const fields =
    outcome.result !== undefined
      ? telemetryOfResult(outcome.result, facts)
      : outcome.error !== undefined
        ? telemetryOfFailure(outcome.error, facts)
        : undefined;
  if (fields === undefined) return undefined;
  return {
    schemaVersion: telemetrySchemaVersion,
    eventId,
    occurredAt: new Date(outcome.endedAt).toISOString(),
    ...fields,
    // The whole request as the gateway timed it, response writing included.
    totalLatencyMs: Math.max(0, Math.round(outcome.endedAt - outcome.startedAt)),
  };
}
