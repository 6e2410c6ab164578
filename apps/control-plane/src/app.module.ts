import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from './config/config.module.ts';
import type { Clock } from './config/clock.ts';
import type { ControlPlaneConfig } from './config/control-plane-config.ts';
import { DatabaseModule } from './database/database.module.ts';
import type { OpenedDatabase } from './database/open-database.ts';
import { ApiExceptionFilter } from './errors/api-exception.filter.ts';
import type { RegistryEventsOptions } from './registry/registry-events.service.ts';
import { RegistryModule } from './registry/registry.module.ts';

/** What the root module is built from: everything decided before Nest starts. */
export interface AppModuleOptions {
  config: ControlPlaneConfig;
  database: OpenedDatabase;
  clock: Clock;
  registryEvents?: Partial<RegistryEventsOptions> | undefined;
}

/**
 * The control plane's root module. Feature modules still to come, each standalone and added here:
 * - AuthModule: API keys with scopes; a global guard reading `ROUTE_SCOPE` (src/http/route-scope.ts)
 * - HealthModule: `/health/live`, `/health/ready`, per-model health and probes
 * - ObservabilityModule: Prometheus `/metrics`, pino logging, OpenAPI at `/docs`
 * - GatewayModule: `/v1/chat/completions`, `/v1/models`, `/v1/select`, `/v1/feedback`
 * - CostModule: telemetry ingest, ledger, budgets, analytics
 */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config, options.clock),
        DatabaseModule.forRoot(options.database),
        RegistryModule.forRoot({ events: options.registryEvents }),
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
