import { Inject, Injectable } from '@nestjs/common';
import type { RegistryContent, RegistrySnapshot } from '@switchboard/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database/database.ts';
import { DATABASE } from '../database/database.module.ts';
import { registryCollections, type RegistryCollection, type RegistrySpecs } from './registry-collections.ts';

/** One stored registry entry with its bookkeeping. */
export interface StoredEntry<Spec> {
  /** The model or provider id, or the policy name. */
  id: string;
  spec: Spec;
  enabled: boolean;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** Every stored entry, each collection in creation order. */
export type StoredRegistry = { [Collection in RegistryCollection]: StoredEntry<RegistrySpecs[Collection]>[] };

/** The current registry version and its content hash. Version 0: never seeded. */
export interface RegistryState {
  version: number;
  hash: string;
}

/** An entry to write: the validated spec and whether it is enabled. */
export interface EntryWrite<Spec> {
  id: string;
  spec: Spec;
  enabled: boolean;
}

/**
 * One registry change in progress, inside a transaction that holds the lock on the version row.
 * Whatever the work function does through it commits together with the new snapshot, or not at
 * all.
 */
export interface RegistryUnitOfWork {
  /** The version and hash before this change, read under the lock. */
  readonly state: RegistryState;
  /** Every entry as committed before this change. */
  readStored(): Promise<StoredRegistry>;
  insert<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void>;
  update<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void>;
  /** Stores the snapshot and makes its version the current one. */
  recordSnapshot(snapshot: RegistrySnapshot): Promise<void>;
}

type Executor = Kysely<Database>;

/**
 * All of the registry's SQL. Changes go through {@link RegistryRepository.change}, which runs in one
 * transaction that first locks the single `registry_state` row (`SELECT ... FOR UPDATE`): two
 * admin writes, on one instance or on several sharing PostgreSQL, are serialised, so each gets the
 * next version exactly once and a rejected change leaves nothing behind.
 */
@Injectable()
export class RegistryRepository {
  constructor(@Inject(DATABASE) private readonly database: Kysely<Database>) {}

  /** The current version and hash, without locking. */
  async readState(): Promise<RegistryState> {
    const row = await this.database
      .selectFrom('registry_state')
      .select(['version', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { version: row.version, hash: row.hash };
  }

  /** The snapshot stored for a version, if any. */
  async readSnapshot(version: number): Promise<RegistrySnapshot | undefined> {
    const row = await this.database
      .selectFrom('registry_snapshots')
      .select(['version', 'hash', 'created_at', 'content'])
      .where('version', '=', version)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const content: RegistryContent = row.content;
    return {
      providers: content.providers,
      models: content.models,
      policies: content.policies,
      version: row.version,
      hash: row.hash,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** Every entry as committed now. */
  readStored(): Promise<StoredRegistry> {
    return readStored(this.database);
  }

  /**
   * Runs `work` in a transaction holding the registry lock. An exception rolls everything back and
   * propagates; the caller announces the change only after this resolves (i.e. after commit).
   */
  change<Result>(work: (unit: RegistryUnitOfWork) => Promise<Result>): Promise<Result> {
    return this.database.transaction().execute(async (transaction) => {
      const locked = await transaction
        .selectFrom('registry_state')
        .select(['version', 'hash'])
        .where('id', '=', 1)
        .forUpdate()
        .executeTakeFirstOrThrow();
      return work(new TransactionUnitOfWork(transaction, { version: locked.version, hash: locked.hash }));
    });
  }
}

class TransactionUnitOfWork implements RegistryUnitOfWork {
  constructor(
    private readonly transaction: Executor,
    readonly state: RegistryState,
  ) {}

  readStored(): Promise<StoredRegistry> {
    return readStored(this.transaction);
  }

  async insert<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void> {
    await this.transaction
      .insertInto(collection as RegistryCollection)
      .values({
        id: entry.id,
        spec: JSON.stringify(entry.spec),
        enabled: entry.enabled,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }

  async update<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void> {
    await this.transaction
      .updateTable(collection as RegistryCollection)
      .set({ spec: JSON.stringify(entry.spec), enabled: entry.enabled, updated_at: at })
      .where('id', '=', entry.id)
      .executeTakeFirstOrThrow();
  }

  async recordSnapshot(snapshot: RegistrySnapshot): Promise<void> {
    const content: RegistryContent = {
      providers: snapshot.providers,
      models: snapshot.models,
      policies: snapshot.policies,
    };
    await this.transaction
      .insertInto('registry_snapshots')
      .values({
        version: snapshot.version,
        hash: snapshot.hash,
        created_at: snapshot.createdAt,
        content: JSON.stringify(content),
      })
      .execute();
    await this.transaction
      .updateTable('registry_state')
      .set({ version: snapshot.version, hash: snapshot.hash, updated_at: snapshot.createdAt })
      .where('id', '=', 1)
      .execute();
  }
}

async function readStored(executor: Executor): Promise<StoredRegistry> {
  const [providers, models, policies] = await Promise.all(
    registryCollections.map((collection) =>
      executor
        .selectFrom(collection)
        .select(['id', 'spec', 'enabled', 'created_at', 'updated_at'])
        .orderBy('position')
        .execute(),
    ),
  );
  const entries = <Spec>(rows: typeof providers): StoredEntry<Spec>[] =>
    (rows ?? []).map((row) => ({
      id: row.id,
      spec: row.spec as Spec,
      enabled: row.enabled,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
  return {
    providers: entries(providers),
    models: entries(models),
    policies: entries(policies),
  };
}
