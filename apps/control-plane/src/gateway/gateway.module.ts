import { Module } from '@nestjs/common';
import { CurrentSnapshotService } from '../decisions/current-snapshot.service.ts';
import { DecisionsModule } from '../decisions/decisions.module.ts';
import { PROBE_RUNNER } from '../health/probe-runner.ts';
import { createAdapterProbeRunner } from '../providers/adapter-probe-runner.ts';
import { ProviderAdaptersService } from '../providers/provider-adapters.service.ts';
import { ProvidersModule } from '../providers/providers.module.ts';
import { GatewayOutcomeReporter } from './gateway-outcome.reporter.ts';
import { GatewayController } from './gateway.controller.ts';
import { GatewayService } from './gateway.service.ts';
import { SelectController } from './select.controller.ts';
import { SelectService } from './select.service.ts';

/**
 * The OpenAI-compatible gateway (`/v1/chat/completions`, `/v1/models`) and `/v1/select`, on the
 * decisions module (selection, breakers, `/v1/feedback`) and the provider adapters. Also provides
 * the health module's `PROBE_RUNNER`, built on the same adapters, so active probes call models the
 * way traffic does. Needs the config, database and registry modules; uses the health and
 * observability modules when present.
 */
@Module({
  imports: [DecisionsModule, ProvidersModule],
  controllers: [GatewayController, SelectController],
  providers: [
    GatewayService,
    SelectService,
    GatewayOutcomeReporter,
    {
      provide: PROBE_RUNNER,
      useFactory: (adapters: ProviderAdaptersService, snapshots: CurrentSnapshotService) =>
        createAdapterProbeRunner(adapters, () => snapshots.current()),
      inject: [ProviderAdaptersService, CurrentSnapshotService],
    },
  ],
})
export class GatewayModule {}
