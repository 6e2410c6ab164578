import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../config/clock.ts';
import { defaultApiKeyCacheSettings, type ApiKeyCacheSettings } from './api-key-cache.ts';
import { generateApiKey, hashApiKey } from './api-key.ts';
import type { ApiKeyRepository, LockedApiKeys, NewApiKey, StoredApiKey } from './api-key.repository.ts';
import { ApiKeyService } from './api-key.service.ts';

/** A clock the test moves by hand. */
interface ManualClock extends Clock {
  advance(milliseconds: number): void;
}

function manualClock(start = Date.UTC(2025, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

/**
 * The repository's behaviour over an in-memory table, counting the per-request lookups
 * (`findByHash`), the I/O the cache exists to avoid. `pauseNextLookup` holds one lookup open so a
 * test can revoke a key while a read of it is in flight.
 */
class InMemoryApiKeyRepository {
  readonly rows: StoredApiKey[] = [];
  lookups = 0;
  private paused: { release: () => void } | undefined;
  private pauseRequested = false;

  async findByHash(hash: string): Promise<StoredApiKey | undefined> {
    this.lookups += 1;
    const row = this.rows.find((candidate) => candidate.hash === hash);
    const snapshot = row === undefined ? undefined : { ...row };
    if (this.pauseRequested) {
      this.pauseRequested = false;
      await new Promise<void>((resolve) => {
        this.paused = { release: resolve };
      });
    }
    return snapshot;
  }

  async list(): Promise<StoredApiKey[]> {
    return this.rows.map((row) => ({ ...row }));
  }

  async insert(key: NewApiKey): Promise<StoredApiKey> {
    const row: StoredApiKey = { ...key, createdAt: new Date(key.createdAt), revokedAt: null };
    this.rows.push(row);
    return { ...row };
  }

  async locked<Result>(work: (keys: LockedApiKeys) => Promise<Result>): Promise<Result> {
    return work({
      findById: async (id) => this.rows.find((row) => row.id === id),
      findByHash: async (hash) => this.rows.find((row) => row.hash === hash),
      count: async () => this.rows.length,
      countActiveAdmins: async (exceptId) =>
        this.rows.filter((row) => row.scope === 'admin' && row.revokedAt === null && row.id !== exceptId)
          .length,
      insert: (key) => this.insert(key),
      revoke: async (id, revokedAt) => this.revokeInTable(id, new Date(revokedAt)),
    });
  }

  /** Revokes a row directly, as another instance of the control plane would. */
  revokeInTable(id: string, revokedAt: Date): StoredApiKey | undefined {
    const row = this.rows.find((candidate) => candidate.id === id && candidate.revokedAt === null);
    if (row === undefined) return undefined;
    row.revokedAt = revokedAt;
    return { ...row };
  }

  pauseNextLookup(): void {
    this.pauseRequested = true;
  }

  releasePausedLookup(): void {
    this.paused?.release();
    this.paused = undefined;
  }
}

function setUp(settings: Partial<ApiKeyCacheSettings> = {}): {
  service: ApiKeyService;
  repository: InMemoryApiKeyRepository;
  clock: ManualClock;
} {
  const repository = new InMemoryApiKeyRepository();
  const clock = manualClock();
  const service = new ApiKeyService(repository as unknown as ApiKeyRepository, clock, {
    keyCache: { ...defaultApiKeyCacheSettings, ...settings },
  });
  return { service, repository, clock };
}

describe('ApiKeyService.authenticate with its cache', () => {
  it('answers a key checked a moment ago without reading the table again', async () => {
    const { service, repository } = setUp();
    const created = await service.create({ name: 'game-server', scope: 'service', rateLimitPerMinute: 600 });

    const first = await service.authenticate(created.key);
    const second = await service.authenticate(created.key);

    expect(first).toEqual({
      id: created.id,
      name: 'game-server',
      scope: 'service',
      prefix: created.prefix,
      rateLimitPerMinute: 600,
    });
    expect(second).toEqual(first);
    expect(repository.lookups).toBe(1);
  });

  it('looks keys up by their SHA-256 hash, never by the key itself', async () => {
    const { service, repository } = setUp();
    const created = await service.create({ name: 'game-server', scope: 'service' });
    const seen: string[] = [];
    const findByHash = repository.findByHash.bind(repository);
    repository.findByHash = async (hash) => {
      seen.push(hash);
      return findByHash(hash);
    };
    await service.authenticate(created.key);
    expect(seen).toEqual([hashApiKey(created.key)]);
  });

  it('reads the table again once the TTL has passed, so a revocation on another instance is seen within it', async () => {
    const { service, repository, clock } = setUp({ ttlMs: 10_000 });
    const created = await service.create({ name: 'game-server', scope: 'service' });
    expect(await service.authenticate(created.key)).toBeDefined();

    repository.revokeInTable(created.id, new Date(clock.now()));
    clock.advance(9_999);
    expect(await service.authenticate(created.key)).toBeDefined();
    expect(repository.lookups).toBe(1);

    clock.advance(1);
    expect(await service.authenticate(created.key)).toBeUndefined();
    expect(repository.lookups).toBe(2);
  });

  it('refuses a key revoked through this instance from the very next request', async () => {
    const { service, repository } = setUp();
    const created = await service.create({ name: 'game-server', scope: 'service' });
    expect(await service.authenticate(created.key)).toBeDefined();

    const revoked = await service.revoke(created.id);
    expect(revoked.revokedAt).not.toBeNull();
    expect(await service.authenticate(created.key)).toBeUndefined();
    expect(repository.lookups).toBe(2);
  });

  it('does not keep a stale "active" answer read while the key was being revoked', async () => {
    const { service, repository } = setUp();
    const created = await service.create({ name: 'game-server', scope: 'service' });

    repository.pauseNextLookup();
    const inFlight = service.authenticate(created.key);
    await service.revoke(created.id);
    repository.releasePausedLookup();
    // The read started before the revocation, so it may still see the key as active...
    expect(await inFlight).toBeDefined();
    // ...but that answer is not remembered: the next request is refused.
    expect(await service.authenticate(created.key)).toBeUndefined();
  });

  it('remembers an unknown key for the negative TTL only, then checks the table again', async () => {
    const { service, repository, clock } = setUp({ negativeTtlMs: 2_000 });
    const key = generateApiKey('service');

    expect(await service.authenticate(key)).toBeUndefined();
    expect(await service.authenticate(key)).toBeUndefined();
    expect(repository.lookups).toBe(1);

    // The key appears in the table meanwhile (stored by another instance).
    await repository.insert({
      id: 'stored-elsewhere',
      name: 'from another instance',
      scope: 'service',
      prefix: 'sb_service_xxxx…',
      hash: hashApiKey(key),
      rateLimitPerMinute: null,
      createdAt: new Date(clock.now()).toISOString(),
    });
    clock.advance(1_999);
    expect(await service.authenticate(key)).toBeUndefined();
    expect(repository.lookups).toBe(1);

    clock.advance(1);
    expect(await service.authenticate(key)).toMatchObject({ id: 'stored-elsewhere' });
    expect(repository.lookups).toBe(2);
  });

  it('accepts the environment bootstrap key at once even if it was refused just before it was stored', async () => {
    const { service } = setUp();
    const environmentKey = 'operator-chosen-admin-key-0123456789';
    expect(await service.authenticate(environmentKey)).toBeUndefined();
    expect(await service.ensureBootstrapKey(environmentKey)).toEqual({ kind: 'stored-from-environment' });
    expect(await service.authenticate(environmentKey)).toMatchObject({ scope: 'admin' });
  });

  it('keeps at most maxEntries active keys, dropping the least recently used', async () => {
    const { service, repository } = setUp({ maxEntries: 2 });
    const first = await service.create({ name: 'first', scope: 'service' });
    const second = await service.create({ name: 'second', scope: 'service' });
    const third = await service.create({ name: 'third', scope: 'service' });

    await service.authenticate(first.key);
    await service.authenticate(second.key);
    await service.authenticate(first.key); // first is now the most recently used
    await service.authenticate(third.key); // drops second
    expect(repository.lookups).toBe(3);

    await service.authenticate(first.key);
    await service.authenticate(third.key);
    expect(repository.lookups).toBe(3);
    await service.authenticate(second.key);
    expect(repository.lookups).toBe(4);
  });

  it('does not let a flood of unknown keys push active keys out of the cache', async () => {
    const { service, repository } = setUp({ maxEntries: 2, maxNegativeEntries: 2 });
    const created = await service.create({ name: 'game-server', scope: 'service' });
    await service.authenticate(created.key);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      expect(await service.authenticate(generateApiKey('service'))).toBeUndefined();
    }
    const lookupsAfterFlood = repository.lookups;
    expect(await service.authenticate(created.key)).toBeDefined();
    expect(repository.lookups).toBe(lookupsAfterFlood);
  });

  it('reads the table on every request when the TTLs are 0', async () => {
    const { service, repository } = setUp({ ttlMs: 0, negativeTtlMs: 0 });
    const created = await service.create({ name: 'game-server', scope: 'service' });
    await service.authenticate(created.key);
    await service.authenticate(created.key);
    await service.authenticate('unknown');
    await service.authenticate('unknown');
    expect(repository.lookups).toBe(4);
  });
});
