import { Module, type DynamicModule } from '@nestjs/common';
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
 * multi-instance deployment provides a Redis pub/sub one under the same token).
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
        { provide: REGISTRY_CHANGE_BUS, useFactory: () => new InProcessRegistryChangeBus() },
        {
          provide: REGISTRY_EVENTS_OPTIONS,
          useValue: { ...defaultRegistryEventsOptions, ...options.events },
        },
      ],
      exports: [RegistryService, REGISTRY_CHANGE_BUS],
    };
  }
}
