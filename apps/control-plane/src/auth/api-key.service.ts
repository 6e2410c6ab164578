import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { CLOCK, type Clock } from '../config/clock.ts';
import { ApiError } from '../errors/api-error.ts';
import {
  apiKeyScopes,
  displayPrefixOf,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  type ApiKeyScope,
} from './api-key.ts';
import { ApiKeyCache } from './api-key-cache.ts';
import { ApiKeyRepository, type StoredApiKey } from './api-key.repository.ts';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options.ts';

/** A key as the admin API shows it: never the key, never its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  scope: ApiKeyScope;
  /** The start of the key (`sb_service_Ab3x…`), to tell keys apart. */
  prefix: string;
  /** This key's limit; `null` when it uses the server's default. */
  rateLimitPerMinute: number | null;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, or `null` while the key is active. */
  revokedAt: string | null;
}

/** A key just created: the only response that ever contains the key itself. */
export interface CreatedApiKey extends ApiKeyView {
  /** The key. Shown this once; only its hash is stored, so it cannot be shown again. */
  key: string;
}

/** The key a request presented, once checked against the table. */
export interface AuthenticatedKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  rateLimitPerMinute: number | null;
}

/** How the bootstrap admin key came to be on this start. */
export type BootstrapOutcome =
  /** SWITCHBOARD_ADMIN_KEY was not yet stored and now is (hashed). */
  | { kind: 'stored-from-environment' }
  /** The table was empty: a key was generated; `key` must be shown to the operator once. */
  | { kind: 'generated'; key: string }
  /** Nothing to do: the environment's key is stored already, or keys exist and none was given. */
  | { kind: 'unchanged' };

/** Body of `POST /admin/api-keys`. */
const createApiKeySchema = z.strictObject({
  name: z
    .string({ error: 'expected a name saying who uses the key, such as "game-server-eu"' })
    .trim()
    .min(1, 'expected a name saying who uses the key, such as "game-server-eu"')
    .max(100, 'expected at most 100 characters'),
  scope: z.enum(apiKeyScopes, { error: 'expected "admin" or "service" (service may only use /v1)' }),
  rateLimitPerMinute: z
    .number({ error: 'expected a whole number of requests per minute from 1 to 1000000' })
    .int('expected a whole number of requests per minute from 1 to 1000000')
    .min(1, 'expected a whole number of requests per minute from 1 to 1000000')
    .max(1_000_000, 'expected a whole number of requests per minute from 1 to 1000000')
    .optional(),
});

/**
 * API keys: creating (the key is returned once), listing (never a key or hash), revoking, checking
 * a presented key, and the bootstrap admin key.
 *
 * Checked keys are cached in memory by the SHA-256 hash of the key (never the key itself), so the
 * guard does not query the database on every request: active keys for `keyCache.ttlMs` (10 s by
 * default), unknown or revoked keys for `keyCache.negativeTtlMs` (2 s), at most
 * `keyCache.maxEntries` of each (least recently used dropped first). A key revoked through this
 * instance (`POST /admin/api-keys/:id/revoke`) is refused at once here; **another instance of the
 * control plane keeps accepting it until its cached entry expires, i.e. for up to
 * `keyCache.ttlMs`**. Set `ttlMs` to 0 to read the table on every request instead.
 */
@Injectable()
export class ApiKeyService {
  private readonly cache: ApiKeyCache<AuthenticatedKey>;

  constructor(
    @Inject(ApiKeyRepository) private readonly repository: ApiKeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_OPTIONS) options: Pick<AuthOptions, 'keyCache'>,
  ) {
    this.cache = new ApiKeyCache(clock, options.keyCache);
  }

  /**
   * The active key matching `key`, or `undefined` for an unknown or revoked one. The lookup is by
   * hash, and the stored hash is compared again in constant time, so no response time depends on
   * how much of a guessed key was right. Answers from the cache while it is fresh (see the class
   * comment): a revocation made on another instance is seen within `keyCache.ttlMs`.
   */
  async authenticate(key: string): Promise<AuthenticatedKey | undefined> {
    const hash = hashApiKey(key);
    const cached = this.cache.lookup(hash);
    if (cached.kind === 'active') return cached.value;
    if (cached.kind === 'refused') return undefined;
    const generation = this.cache.generation;
    const stored = await this.repository.findByHash(hash);
    const authenticated =
      stored === undefined || !hashesEqual(stored.hash, hash) || stored.revokedAt !== null
        ? undefined
        : {
            id: stored.id,
            name: stored.name,
            scope: stored.scope,
            prefix: stored.prefix,
            rateLimitPerMinute: stored.rateLimitPerMinute,
          };
    this.cache.remember(hash, authenticated, generation);
    return authenticated;
  }

  /** Creates a key from an admin's request body; 400 naming the field when the body is wrong. */
  async create(body: unknown): Promise<CreatedApiKey> {
    const request = createApiKeySchema.parse(body ?? {});
    const key = generateApiKey(request.scope);
    const stored = await this.repository.insert({
      id: randomUUID(),
      name: request.name,
      scope: request.scope,
      prefix: displayPrefixOf(key),
      hash: hashApiKey(key),
      rateLimitPerMinute: request.rateLimitPerMinute ?? null,
      createdAt: this.now(),
    });
    this.cache.evict(stored.hash);
    return { ...viewOf(stored), key };
  }

  /** Every key, oldest first, revoked ones included. */
  async list(): Promise<ApiKeyView[]> {
    return (await this.repository.list()).map(viewOf);
  }

  /**
   * Revokes a key; revoking a revoked key changes nothing. Refuses (409) to revoke the last active
   * admin key, which would lock every operator out of `/admin`. The key leaves this instance's
   * cache once the revocation is committed, so it is refused here from the next request on; other
   * instances refuse it once their cached entry expires (within `keyCache.ttlMs`).
   */
  async revoke(id: string): Promise<ApiKeyView> {
    const { view, hash } = await this.repository.locked(async (keys) => {
      const existing = await keys.findById(id);
      if (existing === undefined) {
        throw ApiError.notFound(
          `There is no API key with id "${id}". GET /admin/api-keys lists the keys and their ids.`,
        );
      }
      if (existing.revokedAt !== null) return { view: viewOf(existing), hash: existing.hash };
      if (existing.scope === 'admin' && (await keys.countActiveAdmins(existing.id)) === 0) {
        throw ApiError.conflict(
          `API key ${existing.prefix} is the last active admin key; revoking it would lock everyone out of /admin. ` +
            'Create another admin key first (POST /admin/api-keys with scope "admin"), then revoke this one.',
        );
      }
      const revoked = await keys.revoke(existing.id, this.now());
      return { view: viewOf(revoked ?? existing), hash: existing.hash };
    });
    // After the commit: evicting earlier would let a concurrent request re-read the still-active row.
    this.cache.evict(hash);
    return view;
  }

  /**
   * Makes sure an admin can get in: stores `environmentKey` (SWITCHBOARD_ADMIN_KEY) hashed when it
   * is not stored yet, or, without one, generates a key when the table is empty. Runs under the
   * table lock, so instances starting together generate one key between them.
   */
  async ensureBootstrapKey(environmentKey: string | undefined): Promise<BootstrapOutcome> {
    const outcome = await this.repository.locked(async (keys): Promise<BootstrapOutcome> => {
      if (environmentKey !== undefined) {
        const hash = hashApiKey(environmentKey);
        if ((await keys.findByHash(hash)) !== undefined) return { kind: 'unchanged' };
        await keys.insert({
          id: randomUUID(),
          name: 'bootstrap admin key (SWITCHBOARD_ADMIN_KEY)',
          scope: 'admin',
          prefix: displayPrefixOf(environmentKey),
          hash,
          rateLimitPerMinute: null,
          createdAt: this.now(),
        });
        return { kind: 'stored-from-environment' };
      }
      if ((await keys.count()) > 0) return { kind: 'unchanged' };
      const key = generateApiKey('admin');
      await keys.insert({
        id: randomUUID(),
        name: 'bootstrap admin key (generated at first start)',
        scope: 'admin',
        prefix: displayPrefixOf(key),
        hash: hashApiKey(key),
        rateLimitPerMinute: null,
        createdAt: this.now(),
      });
      return { kind: 'generated', key };
    });
    // A refusal cached before the environment's key was stored must not outlive the insert.
    if (environmentKey !== undefined) this.cache.evict(hashApiKey(environmentKey));
    return outcome;
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function viewOf(stored: StoredApiKey): ApiKeyView {
  return {
    id: stored.id,
    name: stored.name,
    scope: stored.scope,
    prefix: stored.prefix,
    rateLimitPerMinute: stored.rateLimitPerMinute,
    createdAt: stored.createdAt.toISOString(),
    revokedAt: stored.revokedAt === null ? null : stored.revokedAt.toISOString(),
  };
}
