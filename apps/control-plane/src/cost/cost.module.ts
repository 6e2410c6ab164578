import { Module } from '@nestjs/common';
import { GATEWAY_OUTCOME_LISTENER } from '../gateway/gateway-outcome.reporter.ts';
import { AnalyticsController } from './analytics.controller.ts';
import { AnalyticsRepository } from './analytics.repository.ts';
import { AnalyticsService } from './analytics.service.ts';
import { GatewayLedgerWriter } from './gateway-ledger-writer.ts';
import { LedgerRollupFolder } from './ledger-rollup-folder.ts';
import { LedgerRepository } from './ledger.repository.ts';
import { LedgerService } from './ledger.service.ts';
import { TelemetryController } from './telemetry.controller.ts';

/**
 * Telemetry ingest (`POST /v1/telemetry`), the append-only ledger the gateway writes to as well
 * (as the `GATEWAY_OUTCOME_LISTENER`), and cost and performance analytics (`/admin/analytics/*`).
 * Needs the config, database and traffic modules; uses health and observability when present.
 */
@Module({
  controllers: [TelemetryController, AnalyticsController],
  providers: [
    LedgerRepository,
    LedgerService,
    LedgerRollupFolder,
    GatewayLedgerWriter,
    { provide: GATEWAY_OUTCOME_LISTENER, useExisting: GatewayLedgerWriter },
    AnalyticsRepository,
    AnalyticsService,
  ],
  exports: [LedgerService, LedgerRollupFolder],
})
export class CostModule {}
