import { Inject, Injectable } from '@nestjs/common';
import { sql, type ColumnType, type Kysely, type Selectable, type Transaction } from 'kysely';
import { DATABASE } from '../database/database.module.ts';
import type { TimestampColumn } from '../database/database.ts';
import type { ApiKeyScope } from './api-key.ts';

/** The `api_keys` table (see `auth.migration.ts`). */
export interface ApiKeysTable {
  /** A UUID; what `/admin/api-keys/:id/revoke` addresses. */
  id: string;
  /** Who or what the key is for, chosen by its creator ("game-server-eu", "grafana"). */
  name: string;
  scope: ApiKeyScope;
  /** The display prefix (`sb_service_Ab3x…`), so lists can say which key is which without the key. */
  prefix: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  hash: string;
  /** This key's own limit; `null` means the module's default. */
  rate_limit_per_minute: number | null;
  created_at: TimestampColumn;
  /** When the key was revoked; `null` while it is active. */
  revoked_at: ColumnType<Date | null, string | null | undefined, string | null>;
}

/** The tables this module reads and writes, for Kysely's typing. */
export interface AuthDatabase {
  api_keys: ApiKeysTable;
}

/** A stored key as the service sees it. */
export interface StoredApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  hash: string;
  rateLimitPerMinute: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key to insert; timestamps are ISO 8601 strings from the injected clock. */
export interface NewApiKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  hash: string;
  rateLimitPerMinute: number | null;
  createdAt: string;
}

type Executor = Kysely<AuthDatabase> | Transaction<AuthDatabase>;

/** The reads and writes that must see a consistent table, run under {@link ApiKeyRepository.locked}. */
export interface LockedApiKeys {
  findById(id: string): Promise<StoredApiKey | undefined>;
  findByHash(hash: string): Promise<StoredApiKey | undefined>;
  /** Keys in the table, revoked ones included. */
  count(): Promise<number>;
  /** Active admin keys other than `exceptId`. */
  countActiveAdmins(exceptId: string): Promise<number>;
  insert(key: NewApiKey): Promise<StoredApiKey>;
  revoke(id: string, revokedAt: string): Promise<StoredApiKey | undefined>;
}

/**
 * All SQL on API keys. Key changes that depend on the table's state (the bootstrap key on an empty
 * table, never revoking the last admin key) run in a transaction holding an advisory lock, so two
 * instances starting or two admins revoking at the same moment cannot both pass the check.
 */
@Injectable()
export class ApiKeyRepository {
  constructor(@Inject(DATABASE) private readonly database: Kysely<AuthDatabase>) {}

  /** The key with this hash, revoked or not. */
  findByHash(hash: string): Promise<StoredApiKey | undefined> {
    return findByHash(this.database, hash);
  }

  /** Every key, oldest first. */
  async list(): Promise<StoredApiKey[]> {
    const rows = await this.database
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toStoredApiKey);
  }

  /** Inserts a key that depends on nothing else in the table. */
  insert(key: NewApiKey): Promise<StoredApiKey> {
    return insert(this.database, key);
  }

  /** Runs `work` in one transaction that holds the API-key lock until it commits. */
  locked<Result>(work: (keys: LockedApiKeys) => Promise<Result>): Promise<Result> {
    return this.database.transaction().execute(async (transaction) => {
      await sql`select pg_advisory_xact_lock(hashtext('switchboard.api_keys'))`.execute(transaction);
      return work({
        findById: (id) => findById(transaction, id),
        findByHash: (hash) => findByHash(transaction, hash),
        count: async () => {
          const row = await transaction
            .selectFrom('api_keys')
            .select((builder) => builder.fn.countAll<string | number>().as('count'))
            .executeTakeFirstOrThrow();
          return Number(row.count);
        },
        countActiveAdmins: async (exceptId) => {
          const row = await transaction
            .selectFrom('api_keys')
            .select((builder) => builder.fn.countAll<string | number>().as('count'))
            .where('scope', '=', 'admin')
            .where('revoked_at', 'is', null)
            .where('id', '<>', exceptId)
            .executeTakeFirstOrThrow();
          return Number(row.count);
        },
        insert: (key) => insert(transaction, key),
        revoke: async (id, revokedAt) => {
          const row = await transaction
            .updateTable('api_keys')
            .set({ revoked_at: revokedAt })
            .where('id', '=', id)
            .where('revoked_at', 'is', null)
            .returningAll()
            .executeTakeFirst();
          return row === undefined ? undefined : toStoredApiKey(row);
        },
      });
    });
  }
}

async function findById(executor: Executor, id: string): Promise<StoredApiKey | undefined> {
  const row = await executor.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toStoredApiKey(row);
}

async function findByHash(executor: Executor, hash: string): Promise<StoredApiKey | undefined> {
  const row = await executor.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row === undefined ? undefined : toStoredApiKey(row);
}

async function insert(executor: Executor, key: NewApiKey): Promise<StoredApiKey> {
  const row = await executor
    .insertInto('api_keys')
    .values({
      id: key.id,
      name: key.name,
      scope: key.scope,
      prefix: key.prefix,
      hash: key.hash,
      rate_limit_per_minute: key.rateLimitPerMinute,
      created_at: key.createdAt,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStoredApiKey(row);
}

function toStoredApiKey(row: Selectable<ApiKeysTable>): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    hash: row.hash,
    rateLimitPerMinute: row.rate_limit_per_minute,
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}
