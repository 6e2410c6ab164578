import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import type { TimestampColumn } from '../database/database.ts';

/** The `optimizer_state` table (see `optimizer.migration.ts`). */
export interface OptimizerStateTable {
  /** Always `fleet`: one state for the whole fleet. */
  id: string;
  /** Core's serialised optimiser state, as JSON text. */
  state: string;
  saved_at: TimestampColumn;
}

/** The tables this repository reads and writes, for Kysely's typing. */
export interface OptimizerDatabase {
  optimizer_state: OptimizerStateTable;
}

const fleetRow = 'fleet';

/** All of the optimiser's SQL. */
@Injectable()
export class OptimizerRepository {
  private readonly database: Kysely<OptimizerDatabase>;

  constructor(@Inject(DATABASE) database: Kysely<unknown>) {
    // The shared `Database` type lists the skeleton's tables; this repository owns `optimizer_state`.
    this.database = database as Kysely<OptimizerDatabase>;
  }

  /** The stored state's JSON, or `undefined` before the first save. */
  async load(): Promise<string | undefined> {
    const row = await this.database
      .selectFrom('optimizer_state')
      .select('state')
      .where('id', '=', fleetRow)
      .executeTakeFirst();
    return row?.state;
  }

  /**
   * Replaces the stored state with `combine(stored)` in one transaction, the row locked meanwhile, so
   * two instances saving at once both land (neither overwrites the other's evidence). `empty` is
   * what a first save starts from. Returns what was written.
   */
  async update(combine: (stored: string) => string, empty: string, savedAt: string): Promise<string> {
    return this.database.transaction().execute(async (transaction) => {
      // A row to lock, even on the very first save: two first saves must not both insert.
      await transaction
        .insertInto('optimizer_state')
        .values({ id: fleetRow, state: empty, saved_at: savedAt })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      const row = await transaction
        .selectFrom('optimizer_state')
        .select('state')
        .where('id', '=', fleetRow)
        .forUpdate()
        .executeTakeFirst();
      const state = combine(row?.state ?? empty);
      await transaction
        .insertInto('optimizer_state')
        .values({ id: fleetRow, state, saved_at: savedAt })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ state, saved_at: savedAt }))
        .execute();
      return state;
    });
  }
}
