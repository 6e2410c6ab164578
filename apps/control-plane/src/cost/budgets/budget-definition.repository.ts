import { Inject, Injectable } from '@nestjs/common';
import type { BudgetPeriod, BudgetScope } from '@switchboard/core';
import type { ColumnType, Kysely, Selectable } from 'kysely';
import { DATABASE } from '../../database/database.module.ts';
import type { TimestampColumn } from '../../database/database.ts';
import type { BudgetDefinition, BudgetMode } from './budget-definition.ts';

/** The `budgets` table (see `budgets.migration.ts`). */
export interface BudgetsTable {
  id: string;
  scope: BudgetScope;
  scope_id: string | null;
  period: BudgetPeriod;
  /** bigint: PostgreSQL hands it back as a string, PGlite as a number. */
  limit_micros: ColumnType<string | number, number, number>;
  mode: BudgetMode;
  alert_threshold: number;
  created_at: TimestampColumn;
  updated_at: TimestampColumn;
}

/** The tables this repository reads and writes, for Kysely's typing. */
export interface BudgetsDatabase {
  budgets: BudgetsTable;
}

/** What may change on a stored budget, with the time of the change. */
export interface BudgetChange {
  limitMicros?: number | undefined;
  mode?: BudgetMode | undefined;
  alertThreshold?: number | undefined;
  updatedAt: string;
}

/** All SQL on budget definitions. */
@Injectable()
export class BudgetDefinitionRepository {
  constructor(@Inject(DATABASE) private readonly database: Kysely<BudgetsDatabase>) {}

  /** Every budget, oldest first. */
  async list(): Promise<BudgetDefinition[]> {
    const rows = await this.database
      .selectFrom('budgets')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toDefinition);
  }

  async find(id: string): Promise<BudgetDefinition | undefined> {
    const row = await this.database.selectFrom('budgets').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toDefinition(row);
  }

  /** Inserts `budget`; `undefined` when its id is taken (nothing is changed then). */
  async insert(budget: BudgetDefinition): Promise<BudgetDefinition | undefined> {
    const row = await this.database
      .insertInto('budgets')
      .values({
        id: budget.id,
        scope: budget.scope,
        scope_id: budget.scopeId,
        period: budget.period,
        limit_micros: budget.limitMicros,
        mode: budget.mode,
        alert_threshold: budget.alertThreshold,
        created_at: budget.createdAt,
        updated_at: budget.updatedAt,
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : toDefinition(row);
  }

  /** Applies `change`; `undefined` when no such budget exists. */
  async update(id: string, change: BudgetChange): Promise<BudgetDefinition | undefined> {
    const row = await this.database
      .updateTable('budgets')
      .set({
        ...(change.limitMicros === undefined ? {} : { limit_micros: change.limitMicros }),
        ...(change.mode === undefined ? {} : { mode: change.mode }),
        ...(change.alertThreshold === undefined ? {} : { alert_threshold: change.alertThreshold }),
        updated_at: change.updatedAt,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : toDefinition(row);
  }

  /** Deletes the budget; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.database.deleteFrom('budgets').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function toDefinition(row: Selectable<BudgetsTable>): BudgetDefinition {
  return {
    id: row.id,
    scope: row.scope,
    scopeId: row.scope_id,
    period: row.period,
    limitMicros: Number(row.limit_micros),
    mode: row.mode,
    alertThreshold: Number(row.alert_threshold),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
