import type { IncomingMessage } from 'node:http';
import { Body, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyOf } from '../auth/api-key.guard.ts';
import { ServiceController } from '../http/route-scope.ts';
import { LedgerService, type LedgerWriteResult } from './ledger.service.ts';
import { parseTelemetryBatch } from './telemetry-batch.ts';

/** What `POST /v1/telemetry` answers (200): how many events were new and how many were replays. */
export interface TelemetryBatchAccepted extends LedgerWriteResult {
  /** Events in the batch. */
  received: number;
}

/**
 * What `POST /v1/telemetry` does with a body, wherever the request was read (here through Nest, or
 * by `telemetry-fast-path.ts` straight from the HTTP server): parses the batch (400 when malformed,
 * nothing stored) and stores it.
 */
export async function ingestTelemetryBody(
  ledger: LedgerService,
  body: unknown,
  apiKeyId: string | null,
): Promise<TelemetryBatchAccepted> {
  const events = parseTelemetryBatch(body);
  const result = await ledger.record(events.map((event) => ({ event, source: 'sdk', apiKeyId })));
  return { received: events.length, ...result };
}

/**
 * `POST /v1/telemetry`: the SDK's HTTP telemetry sink (`createHttpTelemetrySink`) delivers batches
 * here as `{ "events": [...] }` with a service key. Idempotent by `eventId`: a batch sent again
 * (its acknowledgement was lost) answers 200 and stores nothing. A malformed batch answers 400 and
 * stores nothing (the sink drops it); a database failure answers 5xx, which the sink retries.
 */
@ApiTags('cost')
@ServiceController('telemetry')
export class TelemetryController {
  constructor(@Inject(LedgerService) private readonly ledger: LedgerService) {}

  @Post()
  @HttpCode(200)
  async ingest(@Body() body: unknown, @Req() request: IncomingMessage): Promise<TelemetryBatchAccepted> {
    return ingestTelemetryBody(this.ledger, body, apiKeyOf(request)?.id ?? null);
  }
}
