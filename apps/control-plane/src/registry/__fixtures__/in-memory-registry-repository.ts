import type { RegistrySnapshot } from '@switchboard/core';
import type { RegistryCollection, RegistrySpecs } from '../registry-collections.ts';
import type {
  EntryWrite,
  RegistryRepository,
  RegistryState,
  RegistryUnitOfWork,
  StoredEntry,
  StoredRegistry,
} from '../registry.repository.ts';

interface Store {
  state: RegistryState;
  snapshots: Map<number, RegistrySnapshot>;
  stored: StoredRegistry;
}

const copy = <Value>(value: Value): Value => structuredClone(value);

/**
 * The registry repository's behaviour without a database, for service tests: changes run one at a
 * time on a copy that replaces the committed state only when the work function succeeds, just as
 * the transaction and row lock make them behave in SQL.
 */
export class InMemoryRegistryRepository {
  #store: Store = {
    state: { version: 0, hash: '' },
    snapshots: new Map(),
    stored: { providers: [], models: [], policies: [] },
  };
  #queue: Promise<unknown> = Promise.resolve();
  /** Committed changes, for asserting that a rejected request wrote nothing. */
  commits = 0;

  readState(): Promise<RegistryState> {
    return Promise.resolve({ ...this.#store.state });
  }

  readSnapshot(version: number): Promise<RegistrySnapshot | undefined> {
    return Promise.resolve(copy(this.#store.snapshots.get(version)));
  }

  readStored(): Promise<StoredRegistry> {
    return Promise.resolve(copy(this.#store.stored));
  }

  change<Result>(work: (unit: RegistryUnitOfWork) => Promise<Result>): Promise<Result> {
    const run = this.#queue.then(async () => {
      const draft: Store = copy(this.#store);
      const result = await work(new DraftUnitOfWork(draft));
      this.#store = draft;
      this.commits += 1;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** This fake where the service expects the real repository (they share every method the service calls). */
  asRepository(): RegistryRepository {
    return this as unknown as RegistryRepository;
  }
}

class DraftUnitOfWork implements RegistryUnitOfWork {
  readonly state: RegistryState;

  constructor(private readonly draft: Store) {
    this.state = { ...draft.state };
  }

  readStored(): Promise<StoredRegistry> {
    return Promise.resolve(copy(this.draft.stored));
  }

  insert<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void> {
    const entries = this.draft.stored[collection] as StoredEntry<unknown>[];
    if (entries.some((existing) => existing.id === entry.id)) throw new Error(`duplicate key ${entry.id}`);
    entries.push({ ...copy(entry), createdAt: at, updatedAt: at });
    return Promise.resolve();
  }

  update<Collection extends RegistryCollection>(
    collection: Collection,
    entry: EntryWrite<RegistrySpecs[Collection]>,
    at: string,
  ): Promise<void> {
    const entries = this.draft.stored[collection] as StoredEntry<unknown>[];
    const index = entries.findIndex((existing) => existing.id === entry.id);
    if (index < 0) throw new Error(`no row ${entry.id}`);
    entries[index] = { ...copy(entry), createdAt: entries[index]!.createdAt, updatedAt: at };
    return Promise.resolve();
  }

  recordSnapshot(snapshot: RegistrySnapshot): Promise<void> {
    if (this.draft.snapshots.has(snapshot.version)) throw new Error(`duplicate version ${snapshot.version}`);
    this.draft.snapshots.set(snapshot.version, copy(snapshot));
    this.draft.state = { version: snapshot.version, hash: snapshot.hash };
    return Promise.resolve();
  }
}
