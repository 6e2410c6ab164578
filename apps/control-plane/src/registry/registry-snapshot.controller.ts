import type { IncomingMessage, ServerResponse } from 'node:http';
import { Get, Inject, Req, Res } from '@nestjs/common';
import { ServiceController } from '../http/route-scope.ts';
import { RegistryEventsService } from './registry-events.service.ts';
import { RegistryService } from './registry.service.ts';

/** Whether an `If-None-Match` header names this strong ETag (or `*`). */
export function matchesEtag(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch)
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}

/**
 * What SDKs read: the current snapshot, cheap to poll with `If-None-Match`, and the change events.
 * The contract is the one documented on the SDK's `createControlPlaneRegistrySource`.
 */
@ServiceController('registry')
export class RegistrySnapshotController {
  constructor(
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(RegistryEventsService) private readonly events: RegistryEventsService,
  ) {}

  /** `200` with the snapshot and `ETag: "<hash>"`, or `304` when `If-None-Match` names the current hash. */
  @Get('snapshot')
  async snapshot(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    const state = await this.registry.currentState();
    const etag = `"${state.hash}"`;
    response.setHeader('etag', etag);
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('switchboard-registry-version', String(state.version));
    if (state.version > 0 && matchesEtag(request.headers['if-none-match'], etag)) {
      response.statusCode = 304;
      response.end();
      return;
    }
    const body = JSON.stringify(await this.registry.snapshotAt(state));
    response.statusCode = 200;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('content-length', Buffer.byteLength(body));
    response.end(body);
  }

  /** Server-sent events: `event: snapshot` with `{"version","hash"}` on connection and after each change. */
  @Get('events')
  async stream(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    await this.events.open(request, response);
  }
}
