import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock, type Clock } from './clock.ts';
import type { ControlPlaneConfig } from './control-plane-config.ts';

/** Injection token of the validated {@link ControlPlaneConfig}: `@Inject(CONTROL_PLANE_CONFIG)`. */
export const CONTROL_PLANE_CONFIG = Symbol.for('switchboard.control-plane.config');

/**
 * Provides the settings (loaded and checked once, before Nest starts) and the clock to every
 * module, so no feature reads `process.env` or `Date.now()` on its own.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ControlPlaneConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONTROL_PLANE_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [CONTROL_PLANE_CONFIG, CLOCK],
    };
  }
}
