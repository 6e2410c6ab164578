import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { DashboardAsset, DashboardAssetName } from './dashboard-assets.ts';

/** Injection token of the loaded dashboard files. */
export const DASHBOARD_ASSETS = Symbol.for('switchboard.control-plane.dashboard-assets');

/**
 * What the page may do: load its own scripts, styles and images and call its own API, nothing else
 * (no inline script, no third-party origin, no framing).
 */
export const dashboardSecurityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/**
 * The monitoring page: `/` and its files under `/dashboard/`. Open routes (they hold no data); the
 * page asks for the admin key and reads everything through the `/admin` API with it.
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  private readonly etags: ReadonlyMap<DashboardAssetName, string>;

  constructor(
    @Inject(DASHBOARD_ASSETS) private readonly assets: ReadonlyMap<DashboardAssetName, DashboardAsset>,
  ) {
    this.etags = new Map(
      [...assets].map(([name, asset]) => [
        name,
        `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 27)}"`,
      ]),
    );
  }

  @Get()
  page(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.send('index.html', request, response);
  }

  @Get('dashboard')
  pageAlias(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.send('index.html', request, response);
  }

  @Get('dashboard/dashboard.js')
  script(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.send('dashboard.js', request, response);
  }

  @Get('dashboard/dashboard.css')
  styles(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.send('dashboard.css', request, response);
  }

  @Get('dashboard/chart.umd.min.js')
  chartJs(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.send('chart.umd.min.js', request, response);
  }

  /** Revalidated on every load (`no-cache` with an ETag), so a new release shows at once. */
  private send(name: DashboardAssetName, request: IncomingMessage, response: ServerResponse): void {
    const asset = this.assets.get(name)!;
    const etag = this.etags.get(name)!;
    for (const [header, value] of Object.entries(dashboardSecurityHeaders)) response.setHeader(header, value);
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('etag', etag);
    if (request.headers['if-none-match'] === etag) {
      response.statusCode = 304;
      response.end();
      return;
    }
    response.statusCode = 200;
    response.setHeader('content-type', asset.contentType);
    response.setHeader('content-length', asset.body.length);
    response.end(asset.body);
  }
}
