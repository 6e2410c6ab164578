import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { OpenedDatabase } from './open-database.ts';

/**
 * Injection token of the migrated `Kysely<Database>`. Only repositories inject it: they hold all of
 * the control plane's SQL.
 */
export const DATABASE = Symbol.for('switchboard.control-plane.database');

/** Injection token of the `DatabaseEngine` in use (`pglite` or `postgres`), for health and start-up output. */
export const DATABASE_ENGINE = Symbol.for('switchboard.control-plane.database-engine');

/**
 * Closes the database when the application shuts down: ends the PostgreSQL pool, or closes PGlite,
 * whose open instance would otherwise keep the process alive. It runs after the HTTP server has
 * stopped, so no request is cut off mid-query.
 */
@Injectable()
export class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Kysely<Database>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.destroy();
  }
}

/**
 * Shares the database with every module. The database is opened and migrated before Nest starts
 * (see `createControlPlaneApp`), so a failed start can still close it, and no feature module ever
 * sees an unmigrated schema.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(opened: OpenedDatabase): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE, useValue: opened.database },
        { provide: DATABASE_ENGINE, useValue: opened.engine },
        DatabaseCloser,
      ],
      exports: [DATABASE, DATABASE_ENGINE],
    };
  }
}
