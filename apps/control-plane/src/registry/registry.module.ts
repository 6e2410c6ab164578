import { Module, type DynamicModule } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection.ts';
import { RedisRegistryChangeBus } from './redis-registry-change-bus.ts';
import { InProcessRegistryChangeBus, REGISTRY_CHANGE_BUS } from './registry-change-bus.ts';
import {
  defaultRegistryEventsOptions,
  REGISTRY_EVENTS_OPTIONS,
  RegistryEventsService,
  type RegistryEventsOptions,
} from './registry-events.service.ts';
import { RegistrySnapshotController } from './registry-snapshot.controller.ts';
import {
  ModelsAdminController,
  PoliciesAdminController,
  PricesAdminController,
  ProvidersAdminController,
} from './registry.controller.ts';
import { RegistryRepository } from './registry.repository.ts';
import { RegistryService } from './registry.service.ts';

/**
 * Models, providers, routing policies and prices: admin CRUD, versioned snapshots and their change
 * events. Exports the service (the gateway selects against its snapshots) and the change bus (a
 * fleet with REDIS_URL gets the Redis pub/sub one under the same token).
 */
@Module({})
export class RegistryModule {
  static forRoot(options: { events?: Partial<RegistryEventsOptions> | undefined } = {}): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [
        ProvidersAdminController,
        ModelsAdminController,
        PoliciesAdminController,
        PricesAdminController,
        RegistrySnapshotController,
      ],
      providers: [
        RegistryRepository,
        RegistryService,
        RegistryEventsService,
        {
          provide: REGISTRY_CHANGE_BUS,
          // With Redis, changes fan out to every instance's event streams (see RedisRegistryChangeBus).
          useFactory: (redis: RedisConnection | undefined, repository: RegistryRepository) =>
            redis?.configured === true
              ? new RedisRegistryChangeBus(redis, () => repository.readState())
              : new InProcessRegistryChangeBus(),
          inject: [{ token: RedisConnection, optional: true }, RegistryRepository],
        },
        {
          provide: REGISTRY_EVENTS_OPTIONS,
          useValue: { ...defaultRegistryEventsOptions, ...options.events },
        },
      ],
      exports: [RegistryService, REGISTRY_CHANGE_BUS],
    };
  }
}
