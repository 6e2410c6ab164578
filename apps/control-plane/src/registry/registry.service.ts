import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  buildRegistrySnapshot,
  canonicalJson,
  SwitchboardValidationError,
  type PriceChange,
  type RegistryContent,
  type RegistrySnapshot,
  type RoutingPolicy,
} from '@switchboard/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig } from '../config/control-plane-config.ts';
import { ApiError, formatIssuePath, type ApiIssue } from '../errors/api-error.ts';
import { findSecretIssues } from './find-secret-issues.ts';
import { isPlainObject, mergePatch } from './merge-patch.ts';
import {
  priceRegistry,
  readPriceCatalog,
  type CatalogFormat,
  type SkippedCatalogEntry,
} from './price-catalog.ts';
import { REGISTRY_CHANGE_BUS, type RegistryChangeBus } from './registry-change-bus.ts';
import {
  collectionLabels,
  keyOfSpec,
  specSchemas,
  type RegistryCollection,
  type RegistrySpecs,
} from './registry-collections.ts';
import {
  RegistryRepository,
  type RegistryState,
  type RegistryUnitOfWork,
  type StoredEntry,
  type StoredRegistry,
} from './registry.repository.ts';
import { seedRegistryContent } from './seed-registry-content.ts';

/**
 * An entry as the admin API shows it. Models and providers carry `enabled` in their spec; a policy
 * has no such field in core, so its enabled flag is shown (and accepted) beside the spec.
 */
export type AdminEntry<Collection extends RegistryCollection> = Collection extends 'policies'
  ? RoutingPolicy & { enabled: boolean }
  : RegistrySpecs[Collection];

/** The outcome of an accepted admin write. */
export interface RegistryWrite<Collection extends RegistryCollection> {
  entry: AdminEntry<Collection>;
  /** The registry version after the write; unchanged when the write changed nothing. */
  version: number;
  /** `false` when the entry already was exactly this: no new version was made. */
  changed: boolean;
}

/** What a price import did. */
export interface PriceImportResult {
  format: CatalogFormat;
  priceVersion: string;
  /** The registry version after the import; unchanged when no price changed. */
  version: number;
  /** Each model whose price changed, before and after. */
  changed: PriceChange[];
  /** Catalog entries that could not be read as a chat-model price, with the reason. */
  skipped: SkippedCatalogEntry[];
  /** Hosted registry models the catalog had no price for; their price is unchanged. */
  unmatchedModels: string[];
}

/** A registry entry being worked on: the spec may still be raw input until validated. */
interface WorkingEntry {
  id: string;
  spec: unknown;
  enabled: boolean;
}
type WorkingRegistry = Record<RegistryCollection, WorkingEntry[]>;

/** The entry a write produces, before validation. */
interface Candidate {
  id: string;
  /** The full spec as sent (create, replace) or merged (patch, enable). */
  spec: Record<string, unknown>;
  /** Only policies: their flag lives beside the spec. `undefined` keeps the stored one (or `true`). */
  enabled?: boolean | undefined;
}

/** The previous entry, or none when creating. */
type Existing = StoredEntry<unknown> | undefined;

/**
 * The registry's rules. Every change is validated in full (core's schemas and cross-references via
 * `buildRegistrySnapshot`) against the registry as it will be, before anything is written; a
 * rejected change stores nothing. An accepted change writes its entries and the next snapshot
 * version in one transaction, then announces the version on the change bus.
 */
@Injectable()
export class RegistryService implements OnModuleInit {
  readonly #logger = new Logger('Registry');
  #latest: RegistrySnapshot | undefined;

  constructor(
    @Inject(RegistryRepository) private readonly repository: RegistryRepository,
    @Inject(REGISTRY_CHANGE_BUS) private readonly bus: RegistryChangeBus,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seedIfEmpty();
  }

  /**
   * Writes the bundled defaults as version 1 when the registry has never been seeded (see
   * `seedRegistryContent`). Safe when several instances start at once: the first to take the lock
   * seeds, the others find version 1 and do nothing. Resolves `true` when this call seeded.
   */
  async seedIfEmpty(): Promise<boolean> {
    const seeded = await this.repository.change(async (unit) => {
      if (unit.state.version !== 0) return undefined;
      const content = seedRegistryContent({
        environment: this.config.environment,
        ollamaUrl: this.config.ollamaUrl,
      });
      const snapshot = buildRegistrySnapshot(content, this.#stamp(unit));
      const at = snapshot.createdAt;
      for (const provider of snapshot.providers) {
        await unit.insert('providers', { id: provider.id, spec: provider, enabled: provider.enabled }, at);
      }
      for (const model of snapshot.models) {
        await unit.insert('models', { id: model.id, spec: model, enabled: model.enabled }, at);
      }
      for (const policy of snapshot.policies) {
        await unit.insert('policies', { id: policy.name, spec: policy, enabled: true }, at);
      }
      await unit.recordSnapshot(snapshot);
      return snapshot;
    });
    if (seeded === undefined) return false;
    this.#logger.log(
      `Seeded the registry (version 1): providers ${seeded.providers.map((provider) => provider.id).join(', ')}; ` +
        `${seeded.models.length} models, ${seeded.policies.length} policies`,
    );
    await this.#announce(seeded);
    return true;
  }

  /** The current version and hash: what `If-None-Match` and the event stream compare against. */
  currentState(): Promise<RegistryState> {
    return this.repository.readState();
  }

  /** The snapshot of a version read from {@link currentState}; held in memory until the version moves. */
  async snapshotAt(state: RegistryState): Promise<RegistrySnapshot> {
    if (this.#latest?.version === state.version) return this.#latest;
    const snapshot = await this.repository.readSnapshot(state.version);
    if (snapshot === undefined) {
      throw new ApiError(
        'unavailable',
        'The registry is not seeded yet: the control plane is still starting. Retry in a moment.',
      );
    }
    if (this.#latest === undefined || snapshot.version > this.#latest.version) this.#latest = snapshot;
    return snapshot;
  }

  /** The current snapshot. */
  async currentSnapshot(): Promise<RegistrySnapshot> {
    return this.snapshotAt(await this.currentState());
  }

  /** Every entry of a collection, in creation order, disabled ones included. */
  async list<Collection extends RegistryCollection>(
    collection: Collection,
  ): Promise<AdminEntry<Collection>[]> {
    const stored = await this.repository.readStored();
    return (stored[collection] as StoredEntry<RegistrySpecs[Collection]>[]).map((entry) =>
      adminEntry(collection, entry),
    );
  }

  /** One entry; 404 naming the id when there is none. */
  async get<Collection extends RegistryCollection>(
    collection: Collection,
    id: string,
  ): Promise<AdminEntry<Collection>> {
    const stored = await this.repository.readStored();
    const entry = (stored[collection] as StoredEntry<RegistrySpecs[Collection]>[]).find(
      (item) => item.id === id,
    );
    if (entry === undefined) throw notFound(collection, id);
    return adminEntry(collection, entry);
  }

  /** Adds an entry; 409 when its id (a policy's name) is taken. */
  create<Collection extends RegistryCollection>(
    collection: Collection,
    body: unknown,
  ): Promise<RegistryWrite<Collection>> {
    return this.#write(collection, undefined, (existing) => {
      const spec = checkedBody(collection, body);
      const key = spec[collectionLabels[collection].keyField];
      const id = typeof key === 'string' ? key : '';
      if (existing(id) !== undefined) {
        const label = collectionLabels[collection];
        throw ApiError.conflict(
          `A ${label.singular} with ${label.keyField} "${id}" already exists: change it with PUT or PATCH ${label.route}/${encodeURIComponent(id)}, or choose another ${label.keyField}.`,
        );
      }
      return { id, ...splitEnabled(collection, spec) };
    });
  }

  /** Replaces an existing entry whole; 404 when there is none. The body's id may be left out. */
  replace<Collection extends RegistryCollection>(
    collection: Collection,
    id: string,
    body: unknown,
  ): Promise<RegistryWrite<Collection>> {
    return this.#write(collection, id, () => {
      const spec = checkedBody(collection, body);
      return { id, ...splitEnabled(collection, withKey(collection, id, spec)) };
    });
  }

  /** Changes some fields of an existing entry (nested objects merge; see `mergePatch`). */
  patch<Collection extends RegistryCollection>(
    collection: Collection,
    id: string,
    body: unknown,
  ): Promise<RegistryWrite<Collection>> {
    return this.#write(collection, id, (_existing, current) => {
      const changes = checkedBody(collection, body);
      const merged = mergePatch(current?.spec, changes);
      return { id, ...splitEnabled(collection, withKey(collection, id, merged)) };
    });
  }

  /** Enables or disables an entry. Disabled models and providers stay in snapshots (never selected); disabled policies leave them. */
  setEnabled<Collection extends RegistryCollection>(
    collection: Collection,
    id: string,
    enabled: boolean,
  ): Promise<RegistryWrite<Collection>> {
    return this.#write(collection, id, (_existing, current) => {
      const spec = isPlainObject(current?.spec) ? current.spec : {};
      return collection === 'policies' ? { id, spec, enabled } : { id, spec: { ...spec, enabled } };
    });
  }

  /**
   * Updates the prices of registry models from a LiteLLM catalog or an OpenRouter `/models`
   * listing (detected from the body). `priceVersion` labels the new prices; by default
   * `<format>-<today>`. Makes one new version when any price changed, none otherwise.
   */
  async importPrices(body: unknown, priceVersion: string | undefined): Promise<PriceImportResult> {
    const version =
      priceVersion ?? `${formatOf(body)}-${new Date(this.clock.now()).toISOString().slice(0, 10)}`;
    const catalog = readPriceCatalog(body, version);
    const outcome = await this.repository.change(async (unit) => {
      const working = toWorking(await unit.readStored());
      const content = validatedContent(working, undefined);
      const pricing = priceRegistry(content, catalog);
      if (pricing.changes.length === 0) return { pricing, snapshot: undefined };
      const repriced = new Map(pricing.content.models.map((model) => [model.id, model]));
      working.models = working.models.map((entry) => ({
        ...entry,
        spec: repriced.get(entry.id) ?? entry.spec,
      }));
      const snapshot = snapshotOf(working, validatedContent(working, undefined), this.#stamp(unit));
      const at = snapshot.createdAt;
      for (const change of pricing.changes) {
        const model = repriced.get(change.modelId)!;
        await unit.update('models', { id: model.id, spec: model, enabled: model.enabled }, at);
      }
      await unit.recordSnapshot(snapshot);
      return { pricing, snapshot };
    });
    if (outcome.snapshot !== undefined) await this.#announce(outcome.snapshot);
    return {
      format: catalog.format,
      priceVersion: version,
      version: outcome.snapshot?.version ?? (await this.currentState()).version,
      changed: outcome.pricing.changes,
      skipped: catalog.skipped,
      unmatchedModels: outcome.pricing.unmatchedModels,
    };
  }

  /**
   * The one path of every single-entry write: lock, read, build the candidate, validate the whole
   * registry as it would be, then (if anything changed) write the entry and the next snapshot.
   * `id` names the entry to change; `undefined` creates.
   */
  async #write<Collection extends RegistryCollection>(
    collection: Collection,
    id: string | undefined,
    build: (existing: (id: string) => Existing, current: Existing) => Candidate,
  ): Promise<RegistryWrite<Collection>> {
    const outcome = await this.repository.change(async (unit) => {
      const stored = await unit.readStored();
      const entries = stored[collection] as StoredEntry<unknown>[];
      const current = id === undefined ? undefined : entries.find((entry) => entry.id === id);
      if (id !== undefined && current === undefined) throw notFound(collection, id);
      const candidate = build((key) => entries.find((entry) => entry.id === key), current);

      const working = toWorking(stored);
      const list = working[collection];
      const index = current === undefined ? list.length : list.findIndex((entry) => entry.id === current.id);
      const enabled = candidate.enabled ?? current?.enabled ?? true;
      list[index] = { id: candidate.id, spec: candidate.spec, enabled };
      const content = validatedContent(working, { collection, index });

      const spec = content[collection][index] as RegistrySpecs[Collection];
      const entry = {
        id: keyOfSpec(collection, spec),
        spec,
        enabled: collection === 'policies' ? enabled : (spec as { enabled: boolean }).enabled,
      };
      list[index] = entry;
      if (
        current !== undefined &&
        canonicalJson(current.spec) === canonicalJson(spec) &&
        current.enabled === entry.enabled
      ) {
        return { entry, snapshot: undefined, version: unit.state.version };
      }
      const snapshot = snapshotOf(working, content, this.#stamp(unit));
      if (current === undefined) await unit.insert(collection, entry, snapshot.createdAt);
      else await unit.update(collection, entry, snapshot.createdAt);
      await unit.recordSnapshot(snapshot);
      return { entry, snapshot, version: snapshot.version };
    });
    if (outcome.snapshot !== undefined) await this.#announce(outcome.snapshot);
    return {
      entry: adminEntry(collection, { ...outcome.entry, createdAt: '', updatedAt: '' }),
      version: outcome.version,
      changed: outcome.snapshot !== undefined,
    };
  }

  #stamp(unit: RegistryUnitOfWork): { version: number; createdAt: string } {
    return { version: unit.state.version + 1, createdAt: new Date(this.clock.now()).toISOString() };
  }

  async #announce(snapshot: RegistrySnapshot): Promise<void> {
    if (this.#latest === undefined || snapshot.version > this.#latest.version) this.#latest = snapshot;
    await this.bus.publish({ version: snapshot.version, hash: snapshot.hash });
  }
}

function formatOf(body: unknown): CatalogFormat {
  return isPlainObject(body) && Array.isArray(body.data) ? 'openrouter' : 'litellm';
}

function notFound(collection: RegistryCollection, id: string): ApiError {
  const label = collectionLabels[collection];
  return ApiError.notFound(
    `There is no ${label.singular} with ${label.keyField} "${id}". List them with GET ${label.route}; an id that contains "/" must be URL-encoded (openai%2Fgpt-4o).`,
  );
}

/** The body as an object, refused (400) when it is not one or when it carries a secret. */
function checkedBody(collection: RegistryCollection, body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) {
    throw ApiError.invalidRequest([
      {
        path: '(root)',
        message: `expected a JSON object describing a ${collectionLabels[collection].singular}`,
      },
    ]);
  }
  const secrets = findSecretIssues(body);
  if (secrets.length > 0) throw ApiError.invalidRequest(secrets, 'The registry does not store secrets');
  return body;
}

/** The spec with its key set from the URL; a different key in the body is refused, since keys never change. */
function withKey(
  collection: RegistryCollection,
  id: string,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const field = collectionLabels[collection].keyField;
  const given = spec[field];
  if (given !== undefined && given !== id) {
    throw ApiError.invalidRequest([
      {
        path: field,
        message: `must be "${id}" as in the URL (an ${field} cannot be changed; create a new ${collectionLabels[collection].singular} instead)`,
      },
    ]);
  }
  return { ...spec, [field]: id };
}

/** A policy body's `enabled` beside its spec (core's policy has no such field); other specs keep theirs. */
function splitEnabled(collection: RegistryCollection, spec: Record<string, unknown>): Omit<Candidate, 'id'> {
  if (collection !== 'policies' || !('enabled' in spec)) return { spec };
  const { enabled, ...rest } = spec;
  if (typeof enabled !== 'boolean') {
    throw ApiError.invalidRequest([{ path: 'enabled', message: 'expected true or false' }]);
  }
  return { spec: rest, enabled };
}

function toWorking(stored: StoredRegistry): WorkingRegistry {
  const copy = (entries: StoredEntry<unknown>[]) =>
    entries.map(({ id, spec, enabled }) => ({ id, spec, enabled }));
  return { providers: copy(stored.providers), models: copy(stored.models), policies: copy(stored.policies) };
}

/**
 * The registry as it would be, validated whole by core (schemas, then references), disabled
 * policies included so that they stay valid for when they are enabled again. Issues about the
 * entry being written get paths relative to the request body (`price.inputPerMillionMicros`).
 */
function validatedContent(
  working: WorkingRegistry,
  target: { collection: RegistryCollection; index: number } | undefined,
): RegistryContent {
  try {
    const specs = (collection: RegistryCollection) => working[collection].map((entry) => entry.spec);
    // Version and time do not matter here: only the content is kept.
    const validated = buildRegistrySnapshot(
      { providers: specs('providers'), models: specs('models'), policies: specs('policies') },
      { version: 0, createdAt: '' },
    );
    return { providers: validated.providers, models: validated.models, policies: validated.policies };
  } catch (error) {
    if (!(error instanceof SwitchboardValidationError)) throw error;
    throw ApiError.invalidRequest(
      error.issues.map((issue): ApiIssue => {
        const [collection, index, ...rest] = issue.path;
        const aboutTarget =
          target !== undefined && collection === target.collection && index === String(target.index);
        return { path: formatIssuePath(aboutTarget ? rest : issue.path), message: issue.message };
      }),
    );
  }
}

/** The snapshot of validated content, leaving out disabled policies. */
function snapshotOf(
  working: WorkingRegistry,
  content: RegistryContent,
  stamp: { version: number; createdAt: string },
): RegistrySnapshot {
  const policies = content.policies.filter((_, index) => working.policies[index]?.enabled !== false);
  return buildRegistrySnapshot({ ...content, policies }, stamp);
}

function adminEntry<Collection extends RegistryCollection>(
  collection: Collection,
  entry: StoredEntry<RegistrySpecs[Collection]>,
): AdminEntry<Collection> {
  // Parsed again only to list fields in the schema's order (jsonb keeps its own); stored specs are valid.
  const parsed = specSchemas[collection].safeParse(entry.spec);
  const spec = parsed.success ? parsed.data : entry.spec;
  if (collection === 'policies')
    return { ...(spec as RoutingPolicy), enabled: entry.enabled } as AdminEntry<Collection>;
  return spec as AdminEntry<Collection>;
}
