import { Body, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminController } from '../http/route-scope.ts';
import { ApiKeyService, type ApiKeyView, type CreatedApiKey } from './api-key.service.ts';

/** A list response, as every admin list answers. */
export interface ApiKeyList {
  data: ApiKeyView[];
}

/**
 * `/admin/api-keys`: create (the key is in this one response only), list (never keys or hashes),
 * revoke. Admin keys only, like every `/admin` route.
 */
@ApiTags('api-keys')
@AdminController('api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeyService) private readonly keys: ApiKeyService) {}

  /** Body: `{ "name": "game-server-eu", "scope": "service", "rateLimitPerMinute"?: 600 }`. */
  @Post()
  create(@Body() body: unknown): Promise<CreatedApiKey> {
    return this.keys.create(body);
  }

  @Get()
  async list(): Promise<ApiKeyList> {
    return { data: await this.keys.list() };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Param('id') id: string): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }
}
