import type { ServerResponse } from 'node:http';
import { Body, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Res, type Type } from '@nestjs/common';
import { z } from 'zod';
import { AdminController } from '../http/route-scope.ts';
import type { RegistryCollection } from './registry-collections.ts';
import {
  RegistryService,
  type AdminEntry,
  type PriceImportResult,
  type RegistryWrite,
} from './registry.service.ts';

/** Response header carrying the registry version after a write, so a client can wait for it in snapshots. */
export const registryVersionHeader = 'switchboard-registry-version';

/** A list response. */
export interface ListResponse<Entry> {
  data: Entry[];
}

function entryOf<Collection extends RegistryCollection>(
  response: ServerResponse,
  write: RegistryWrite<Collection>,
): AdminEntry<Collection> {
  response.setHeader(registryVersionHeader, String(write.version));
  return write.entry;
}

/**
 * The admin routes of one collection: list, read, create, replace, patch, enable, disable. The
 * three collections behave alike, so one definition serves all three and they cannot drift apart.
 */
function registryEntryController<Collection extends RegistryCollection>(
  collection: Collection,
): Type<unknown> {
  @AdminController(collection)
  class RegistryEntryController {
    constructor(@Inject(RegistryService) readonly registry: RegistryService) {}

    @Get()
    async list(): Promise<ListResponse<AdminEntry<Collection>>> {
      return { data: await this.registry.list(collection) };
    }

    @Post()
    async create(@Body() body: unknown, @Res({ passthrough: true }) response: ServerResponse) {
      return entryOf(response, await this.registry.create(collection, body));
    }

    @Get(':id')
    read(@Param('id') id: string): Promise<AdminEntry<Collection>> {
      return this.registry.get(collection, id);
    }

    @Put(':id')
    async replace(
      @Param('id') id: string,
      @Body() body: unknown,
      @Res({ passthrough: true }) response: ServerResponse,
    ) {
      return entryOf(response, await this.registry.replace(collection, id, body));
    }

    @Patch(':id')
    async patch(
      @Param('id') id: string,
      @Body() body: unknown,
      @Res({ passthrough: true }) response: ServerResponse,
    ) {
      return entryOf(response, await this.registry.patch(collection, id, body));
    }

    @Post(':id/disable')
    @HttpCode(200)
    async disable(@Param('id') id: string, @Res({ passthrough: true }) response: ServerResponse) {
      return entryOf(response, await this.registry.setEnabled(collection, id, false));
    }

    @Post(':id/enable')
    @HttpCode(200)
    async enable(@Param('id') id: string, @Res({ passthrough: true }) response: ServerResponse) {
      return entryOf(response, await this.registry.setEnabled(collection, id, true));
    }
  }
  Object.defineProperty(RegistryEntryController, 'name', {
    value: `${collection[0]!.toUpperCase()}${collection.slice(1)}AdminController`,
  });
  return RegistryEntryController;
}

/** `/admin/providers`. */
export const ProvidersAdminController = registryEntryController('providers');
/** `/admin/models` (ids with `/` are URL-encoded: `/admin/models/openai%2Fgpt-4o`). */
export const ModelsAdminController = registryEntryController('models');
/** `/admin/policies`, addressed by policy name. */
export const PoliciesAdminController = registryEntryController('policies');

const priceImportQuerySchema = z.strictObject({
  priceVersion: z
    .string()
    .regex(
      /^[\w.:-]{1,100}$/,
      'expected a label of letters, digits, ".", ":", "-" or "_" such as litellm-2026-09-01',
    )
    .optional(),
});

/** `/admin/prices`: price catalog imports. */
@AdminController('prices')
export class PricesAdminController {
  constructor(@Inject(RegistryService) private readonly registry: RegistryService) {}

  /**
   * Body: a LiteLLM catalog (`model_prices_and_context_window.json`) or an OpenRouter `GET
   * /api/v1/models` answer. Query `priceVersion` labels the prices (default `<format>-<date>`).
   */
  @Post('import')
  @HttpCode(200)
  async import(
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<PriceImportResult> {
    const { priceVersion } = priceImportQuerySchema.parse(query);
    const result = await this.registry.importPrices(body, priceVersion);
    response.setHeader(registryVersionHeader, String(result.version));
    return result;
  }
}
