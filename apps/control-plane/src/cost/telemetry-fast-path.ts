import type { NestExpressApplication } from '@nestjs/platform-express';
import { apiKeyOf } from '../auth/api-key.guard.ts';
import { ApiExceptionFilter } from '../errors/api-exception.filter.ts';
import { httpHostOf, optionalService, sendJson, type FastRoute } from '../http/fast-path.ts';
import { LedgerService } from './ledger.service.ts';

/**
 * `POST /v1/telemetry` as a fast route (see `http/fast-path.ts`). A batch of 100 events is one
 * request, and Express's and Nest's per-request machinery (body-parser and raw-body, a dozen
 * Express layers, pino-http's child loggers, Nest's guard and response plumbing) was a fifth of the
 * control plane's CPU per ingested event. The answer comes from the same
 * `LedgerService.ingestTelemetry` the controller calls, errors from the same exception filter. None
 * when the application has no ledger (test applications built from parts).
 */
export function telemetryFastRoutes(app: NestExpressApplication): FastRoute[] {
  const ledger = optionalService(() => app.get(LedgerService));
  if (ledger === undefined) return [];
  const filter = new ApiExceptionFilter();
  return [
    {
      path: '/v1/telemetry',
      answer: async (body, request, response) =>
        sendJson(response, await ledger.ingestTelemetry(body, apiKeyOf(request)?.id ?? null)),
      fail: (error, request, response) => filter.catch(error, httpHostOf(request, response)),
    },
  ];
}
