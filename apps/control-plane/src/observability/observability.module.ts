import { Global, Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware.ts';
import { MetricsController } from './metrics.controller.ts';
import { MetricsService } from './metrics.service.ts';

/**
 * Prometheus metrics: the {@link MetricsService} every feature records into (global, so the gateway,
 * health and cost modules inject it without importing this module), `/metrics`, and the middleware
 * counting every HTTP request. Logging is configured separately (`createObservabilityLoggerModule`)
 * and the OpenAPI document by `setupOpenApi`, because both need the application itself.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
