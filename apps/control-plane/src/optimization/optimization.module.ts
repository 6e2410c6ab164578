import { Global, Module, type DynamicModule } from '@nestjs/common';
import { OptimizerController } from './optimizer.controller.ts';
import { OptimizerRepository } from './optimizer.repository.ts';
import {
  defaultOptimizerOptions,
  OPTIMIZER_OPTIONS,
  OptimizerService,
  type OptimizerOptions,
} from './optimizer.service.ts';

/**
 * Learning from traffic: the fleet's optimiser state, fed by the traffic outcome bus and by
 * feedback, saved to the database, published at `GET /v1/optimizer/state`. Global, so selection and
 * feedback (decisions module) find the {@link OptimizerService} without importing this module; both
 * inject it as optional and fall back to the registry's priors without it. Needs the config,
 * database and traffic modules.
 */
@Global()
@Module({})
export class OptimizationModule {
  static forRoot(options: Partial<OptimizerOptions> = {}): DynamicModule {
    return {
      module: OptimizationModule,
      controllers: [OptimizerController],
      providers: [
        { provide: OPTIMIZER_OPTIONS, useValue: { ...defaultOptimizerOptions, ...options } },
        OptimizerRepository,
        OptimizerService,
      ],
      exports: [OptimizerService],
    };
  }
}
