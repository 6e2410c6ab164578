import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ServiceController } from '../http/route-scope.ts';
import { SelectService, type SelectResponse } from './select.service.ts';

/** `POST /v1/select`: a decision without calling a model (see {@link SelectService}). */
@ApiTags('decisions')
@ServiceController('select')
export class SelectController {
  constructor(@Inject(SelectService) private readonly selection: SelectService) {}

  @Post()
  @HttpCode(200)
  select(@Body() body: unknown): Promise<SelectResponse> {
    return this.selection.select(body);
  }
}
