import type { IncomingMessage } from 'node:http';
import { Body, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyOf } from '../auth/api-key.guard.ts';
import { ServiceController } from '../http/route-scope.ts';
import { LedgerService, type TelemetryBatchAccepted } from './ledger.service.ts';

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
    return this.ledger.ingestTelemetry(body, apiKeyOf(request)?.id ?? null);
  }
}
