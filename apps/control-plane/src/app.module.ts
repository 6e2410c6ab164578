import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from './config/config.module.ts';
import { CostModule } from './cost/cost.module.ts';
import { BudgetsModule } from './cost/budgets/budgets.module.ts';
import { DashboardModule } from './dashboard/dashboard.module.ts';
import type { Clock } from './config/clock.ts';
import type { ControlPlaneConfig } from './config/control-plane-config.ts';
import { DatabaseModule } from './database/database.module.ts';
import { GatewayModule } from './gateway/gateway.module.ts';
import type { OpenedDatabase } from './database/open-database.ts';
import { ApiExceptionFilter } from './errors/api-exception.filter.ts';
import { AuthModule } from './auth/auth.module.ts';
import { HealthModule } from './health/health.module.ts';
import { PROBE_TARGETS } from './health/probe-runner.ts';
import { registryProbeTargets } from './health/registry-probe-targets.ts';
import { createObservabilityLoggerModule } from './observability/logger-params.ts';
import { ObservabilityModule } from './observability/observability.module.ts';
import { OptimizationModule } from './optimization/optimization.module.ts';
import { RegistryService } from './registry/registry.service.ts';
import type { RegistryEventsOptions } from './registry/registry-events.service.ts';
import { RegistryModule } from './registry/registry.module.ts';
import { RedisModule } from './redis/redis.module.ts';
import { TrafficModule } from './traffic/traffic.module.ts';

/** What the root module is built from: everything decided before Nest starts. */
export interface AppModuleOptions {
  config: ControlPlaneConfig;
  database: OpenedDatabase;
  clock: Clock;
  registryEvents?: Partial<RegistryEventsOptions> | undefined;
}

/**
 * The control plane's root module: configuration and storage first, then the feature modules. Still
 * to come: CostModule (telemetry ingest, ledger, budgets, analytics).
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config, options.clock),
        DatabaseModule.forRoot(options.database),
        RedisModule,
        TrafficModule,
        OptimizationModule.forRoot(),
        RegistryModule.forRoot({ events: options.registryEvents }),
        ObservabilityModule,
        createObservabilityLoggerModule(),
        AuthModule.forRoot(),
        HealthModule.forRoot({ probeIntervalMs: options.config.probeIntervalMs }),
        GatewayModule,
        CostModule,
        BudgetsModule,
        DashboardModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: PROBE_TARGETS, useFactory: registryProbeTargets, inject: [RegistryService] },
      ],
    };
  }
}
