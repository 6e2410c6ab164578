import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CircuitStateRepository } from './circuit-state.repository.ts';
import { DatabaseHealthRepository } from './database-health.repository.ts';
import { HealthController } from './health.controller.ts';
import { HEALTH_OPTIONS, defaultHealthOptions, type HealthOptions } from './health-options.ts';
import { ModelHealthController } from './model-health.controller.ts';
import { ModelHealthService } from './model-health.service.ts';
import { ProbeResultsRepository } from './probe-results.repository.ts';
import { ProbeScheduler } from './probe-scheduler.ts';
import { RedisHealthRepository } from './redis-health.repository.ts';
import { SharedCircuits } from './shared-circuits.ts';

/**
 * `/health/live`, `/health/ready`, per-model health (`/admin/health/models`) and the probe
 * scheduler; with Redis, circuits and probe results shared across the fleet. Global, so the gateway and telemetry ingest inject {@link ModelHealthService}
 * (and the health options' circuit config) without importing it. Needs the config, database and
 * observability modules; active probes need `PROBE_RUNNER` and `PROBE_TARGETS` provided elsewhere.
 */
@Module({})
export class HealthModule {
  static forRoot(options: Partial<HealthOptions> = {}): DynamicModule {
    const resolved = { ...defaultHealthOptions, ...definedOnly(options) };
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, ModelHealthController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: resolved },
        DatabaseHealthRepository,
        RedisHealthRepository,
        ModelHealthService,
        ProbeScheduler,
        CircuitStateRepository,
        SharedCircuits,
        ProbeResultsRepository,
      ],
      exports: [ModelHealthService, HEALTH_OPTIONS],
    };
  }
}

function definedOnly(options: Partial<HealthOptions>): Partial<HealthOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
