import { Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ModelHealthService } from '../health/model-health.service.ts';
import { CIRCUIT_BREAKERS, circuitBreakersFrom } from './circuit-breakers.ts';
import { CurrentSnapshotService } from './current-snapshot.service.ts';
import { DecisionStore } from './decision-store.ts';
import { DecisionsAdminController } from './decisions-admin.controller.ts';
import { FeedbackController } from './feedback.controller.ts';
import { FeedbackRepository } from './feedback.repository.ts';
import { FeedbackService } from './feedback.service.ts';
import { SelectionService } from './selection.service.ts';

/**
 * Decisions and what is learnt from them: the registry snapshot requests are decided against, the
 * shared circuit breakers, selection, the store of recent decisions (listed and explained under
 * `/admin/decisions`) and `/v1/feedback`. The gateway module builds on it (`/v1/chat/completions`,
 * `/v1/select`). Needs the config and database modules
 * (global) and finds the registry module through the module graph; uses the health module's
 * `ModelHealthService` as its breakers when that module is present.
 */
@Module({
  controllers: [FeedbackController, DecisionsAdminController],
  providers: [
    {
      provide: CIRCUIT_BREAKERS,
      useFactory: circuitBreakersFrom,
      inject: [{ token: ModelHealthService, optional: true }],
    },
    { provide: DecisionStore, useFactory: (clock: Clock) => new DecisionStore(clock), inject: [CLOCK] },
    CurrentSnapshotService,
    SelectionService,
    FeedbackRepository,
    FeedbackService,
  ],
  exports: [CIRCUIT_BREAKERS, CurrentSnapshotService, SelectionService, DecisionStore],
})
export class DecisionsModule {}
