import { Global, Module } from '@nestjs/common';
import { TrafficOutcomeBus } from './traffic-outcome-bus.ts';

/** Shares the {@link TrafficOutcomeBus} with every module. */
@Global()
@Module({ providers: [TrafficOutcomeBus], exports: [TrafficOutcomeBus] })
export class TrafficModule {}
