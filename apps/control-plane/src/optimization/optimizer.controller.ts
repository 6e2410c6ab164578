import type { IncomingMessage, ServerResponse } from 'node:http';
import { Get, Inject, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ServiceController } from '../http/route-scope.ts';
import { matchesEtag } from '../registry/registry-snapshot.controller.ts';
import { OptimizerService } from './optimizer.service.ts';

/**
 * `GET /v1/optimizer/state`: what the fleet learned (core's serialised optimiser state), for SDKs to
 * lay under their own learning; `ETag` with `If-None-Match` for cheap polling.
 *
 * Published apart from `/v1/registry/snapshot` on purpose: the snapshot is content-hashed and
 * versioned by registry edits, and SDKs drop their cached decisions when its version moves, while
 * learned statistics change with every request. Embedded, they would turn every request into a new
 * registry version and a change event to every SDK.
 */
@ApiTags('optimizer')
@ServiceController('optimizer')
export class OptimizerController {
  constructor(@Inject(OptimizerService) private readonly optimizer: OptimizerService) {}

  /** `200` with the state and its `ETag`, or `304` when `If-None-Match` names it. */
  @Get('state')
  state(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    const { body, etag } = this.optimizer.published();
    response.setHeader('etag', etag);
    response.setHeader('cache-control', 'no-cache');
    if (matchesEtag(request.headers['if-none-match'], etag)) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.statusCode = 200;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('content-length', Buffer.byteLength(body));
    response.end(body);
  }
}
