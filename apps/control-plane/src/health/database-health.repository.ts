import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { DATABASE, DATABASE_ENGINE } from '../database/database.module.ts';
import type { DatabaseEngine } from '../database/open-database.ts';
import { withTimeout } from './with-timeout.ts';

/** Asks the database whether it answers, for readiness. */
@Injectable()
export class DatabaseHealthRepository {
  constructor(
    @Inject(DATABASE) private readonly database: Kysely<unknown>,
    @Inject(DATABASE_ENGINE) readonly engine: DatabaseEngine,
  ) {}

  /** Resolves when `select 1` comes back within `timeoutMs`; rejects with the reason otherwise. */
  async ping(timeoutMs: number): Promise<void> {
    await withTimeout(sql`select 1`.execute(this.database), timeoutMs, 'the database');
  }
}
