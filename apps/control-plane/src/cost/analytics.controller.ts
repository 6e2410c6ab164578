import { Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminController } from '../http/route-scope.ts';
import { AnalyticsService, type CostReport, type PerformanceReport } from './analytics.service.ts';

/**
 * `GET /admin/analytics/cost` and `GET /admin/analytics/performance`, both taking
 * `?from=<ISO>&to=<ISO>&groupBy=day,model,provider,taskType,player,session,tenant` (defaults: the
 * last 24 hours, by model). Admin keys only.
 */
@ApiTags('cost')
@AdminController('analytics')
export class AnalyticsController {
  constructor(@Inject(AnalyticsService) private readonly analytics: AnalyticsService) {}

  @Get('cost')
  cost(@Query() query: Record<string, unknown>): Promise<CostReport> {
    return this.analytics.cost(query);
  }

  @Get('performance')
  performance(@Query() query: Record<string, unknown>): Promise<PerformanceReport> {
    return this.analytics.performance(query);
  }
}
