import type { Clock } from '../config/clock.ts';

/** How long and how many checked keys {@link ApiKeyCache} remembers. */
export interface ApiKeyCacheSettings {
  /**
   * Active keys remembered, least recently used dropped first. 10,000 covers every key a
   * deployment hands out many times over while bounding memory (~a few MB).
   */
  maxEntries: number;
  /**
   * How long an active key is trusted without reading the table again. Also the longest another
   * instance keeps accepting a key revoked elsewhere: 10 s keeps that short while sparing the
   * database a query on nearly every request.
   */
  ttlMs: number;
  /**
   * How long an unknown or revoked key is refused without reading the table again, so a flood of
   * bad keys costs hashing, not queries. Short (2 s), because nothing needs it to be longer.
   */
  negativeTtlMs: number;
  /**
   * Unknown keys remembered, in a store of their own so a flood of random keys can never push
   * active keys out.
   */
  maxNegativeEntries: number;
}

/** The defaults of {@link ApiKeyCacheSettings}. */
export const defaultApiKeyCacheSettings: Readonly<ApiKeyCacheSettings> = Object.freeze({
  maxEntries: 10_000,
  ttlMs: 10_000,
  negativeTtlMs: 2_000,
  maxNegativeEntries: 10_000,
});

/** What the cache knows about one key hash. */
export type CachedLookup<Value> =
  /** The key was active when last read; `value` is what the guard needs of it. */
  | { kind: 'active'; value: Value }
  /** The key was unknown or revoked when last read. */
  | { kind: 'refused' }
  /** Nothing fresh is known: read the table. */
  | { kind: 'miss' };

interface Entry<Value> {
  value: Value;
  expiresAt: number;
}

/**
 * Results of checking presented API keys, keyed by the SHA-256 hash of the key (never the key, so
 * a heap dump holds nothing that authenticates). Two bounded least-recently-used stores with
 * expiry from the injected clock: active keys for `ttlMs`, refused keys for `negativeTtlMs`.
 *
 * A read that started before an {@link ApiKeyCache.evict} may finish after it with what the
 * table said before (a revocation not yet committed); {@link ApiKeyCache.generation} lets the
 * caller notice and not store that stale answer.
 */
export class ApiKeyCache<Value> {
  private readonly active = new Map<string, Entry<Value>>();
  private readonly refused = new Map<string, number>();
  private evictions = 0;

  constructor(
    private readonly clock: Clock,
    private readonly settings: ApiKeyCacheSettings = defaultApiKeyCacheSettings,
  ) {}

  /** Counts evictions: pass the value read before a table lookup to {@link ApiKeyCache.remember}. */
  get generation(): number {
    return this.evictions;
  }

  /** What is known about `hash` now; expired entries are dropped and count as a miss. */
  lookup(hash: string): CachedLookup<Value> {
    const now = this.clock.now();
    const entry = this.active.get(hash);
    if (entry !== undefined) {
      this.active.delete(hash);
      if (entry.expiresAt > now) {
        this.active.set(hash, entry); // most recently used goes last
        return { kind: 'active', value: entry.value };
      }
    }
    const refusedUntil = this.refused.get(hash);
    if (refusedUntil !== undefined) {
      if (refusedUntil > now) return { kind: 'refused' };
      this.refused.delete(hash);
    }
    return { kind: 'miss' };
  }

  /**
   * Stores the table's answer for `hash` (`undefined`: unknown or revoked), unless a key was
   * evicted since `generation` was read, in which case the answer may predate a revocation.
   */
  remember(hash: string, value: Value | undefined, generation: number): void {
    if (generation !== this.evictions) return;
    const now = this.clock.now();
    if (value === undefined) {
      if (this.settings.negativeTtlMs <= 0 || this.settings.maxNegativeEntries <= 0) return;
      this.refused.delete(hash);
      this.refused.set(hash, now + this.settings.negativeTtlMs);
      dropOldest(this.refused, this.settings.maxNegativeEntries);
      return;
    }
    if (this.settings.ttlMs <= 0 || this.settings.maxEntries <= 0) return;
    this.refused.delete(hash);
    this.active.delete(hash);
    this.active.set(hash, { value, expiresAt: now + this.settings.ttlMs });
    dropOldest(this.active, this.settings.maxEntries);
  }

  /** Forgets `hash` at once (a key revoked or created on this instance). */
  evict(hash: string): void {
    this.evictions += 1;
    this.active.delete(hash);
    this.refused.delete(hash);
  }
}

/** Drops the least recently used entries (a Map iterates in insertion order) beyond `limit`. */
function dropOldest(map: Map<string, unknown>, limit: number): void {
  while (map.size > limit) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
