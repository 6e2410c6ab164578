import { Body, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminController } from '../../http/route-scope.ts';
import { BudgetService, type BudgetStatus } from './budget.service.ts';

/** A list response, as every admin list answers. */
export interface BudgetList {
  data: BudgetStatus[];
}

/**
 * `/admin/budgets`: create, list (with each budget's spending in its current period), read, change
 * (limit, mode, alert threshold) and delete budgets. Admin keys only, like every `/admin` route.
 */
@ApiTags('budgets')
@AdminController('budgets')
export class BudgetsController {
  constructor(@Inject(BudgetService) private readonly budgets: BudgetService) {}

  /**
   * Body: `{ "id"?: "tenant-eu-day", "scope": "tenant", "scopeId": "studio-eu", "period": "day",
   * "limitMicros": 5000000, "mode": "hard", "alertThreshold"?: 0.8 }`.
   */
  @Post()
  create(@Body() body: unknown): Promise<BudgetStatus> {
    return this.budgets.create(body);
  }

  @Get()
  async list(): Promise<BudgetList> {
    return { data: await this.budgets.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<BudgetStatus> {
    return this.budgets.get(id);
  }

  /** Body: any of `{ "limitMicros", "mode", "alertThreshold" }`. */
  @Patch(':id')
  update(@Param('id') id: string, @Body() body: unknown): Promise<BudgetStatus> {
    return this.budgets.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.budgets.delete(id);
  }
}
