import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsService } from './metrics.service.ts';

/**
 * Prometheus' scrape endpoint. Open by default, as scrapers commonly reach it without credentials
 * on an internal network; the auth module can require an admin key for it instead (its
 * `metricsAccess` option).
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) response: ServerResponse): Promise<string> {
    const text = await this.metrics.render();
    response.setHeader('content-type', this.metrics.contentType);
    return text;
  }
}
