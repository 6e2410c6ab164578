import type { Decision } from '@switchboard/core';
import { systemClock, type ClientClock } from './client-clock.ts';

/** Options of {@link createDecisionCache}. */
export interface DecisionCacheOptions {
  /** Most decisions kept; the least recently used goes first. Default 1000. */
  maxEntries?: number | undefined;
  /**
   * A decision is not reused after this long even when nothing signalled a change, which bounds
   * staleness from what no epoch reports: an open circuit turning half-open as its cooldown ends,
   * statistics drifting. Default 30,000 ms.
   */
  maxAgeMs?: number | undefined;
  clock?: ClientClock | undefined;
}

/** How well the cache is doing, for a host's metrics. */
export interface DecisionCacheStats {
  hits: number;
  misses: number;
  /** `set` calls turned away (exploratory, stale, or made under another version or epoch). */
  refused: number;
  /** Times everything was discarded because the snapshot version or the health epoch moved. */
  invalidations: number;
  size: number;
}

/**
 * Ranked decisions kept by context signature (see `decisionCacheKey`), so that a steady stream of
 * similar requests skips selection.
 *
 * What may be cached, and why:
 * - Only non-exploratory decisions. An exploratory pick deliberately puts a model that is not the
 *   best first for a share of traffic; cached, that one draw would repeat for every request with
 *   the same signature, turning a 10% exploration budget into 100% for that signature. `set`
 *   refuses a decision that explored or lists an exploratory candidate.
 * - A deterministic ranking may be cached at any risk level, crisis included, because the cache is
 *   emptied whenever a model's circuit or health changes (the host bumps the health epoch) and
 *   whenever the registry snapshot changes. At elevated and crisis risk core ranks by posterior
 *   means, so that ranking is deterministic.
 * - At none and low risk, core ranks by a Thompson draw of each model's quality even when it does
 *   not explore: a cached decision freezes one draw, so traffic stops spreading between models
 *   of similar quality. Whether that trade is acceptable is the caller's choice (the model client
 *   caches only deterministic rankings unless told otherwise); this cache stores what it is given.
 *
 * Invalidation: call {@link DecisionCache.sync} with the current snapshot version and health epoch
 * before `get`; when either differs from the last call, every entry is discarded. A `set` for a
 * decision made under another snapshot version or health epoch is refused, so a selection that
 * raced with a change cannot re-seed the cache with a stale ranking.
 *
 * Speed: `get` is a `Map` lookup, a re-insertion for recency and one clock read.
 */
export interface DecisionCache {
  /** The cached decision for `key`, if fresh. */
  get(key: string): Decision | undefined;
  /**
   * Caches `decision` under `key`; returns whether it was stored. `healthEpoch` is the epoch the
   * decision was selected under (default: the current one).
   */
  set(key: string, decision: Decision, healthEpoch?: number): boolean;
  /** Records the current snapshot version and health epoch, discarding everything when either moved. */
  sync(snapshotVersion: number, healthEpoch: number): void;
  /** Discards everything. */
  clear(): void;
  stats(): DecisionCacheStats;
}

interface Entry {
  decision: Decision;
  storedAt: number;
}

/** True when the decision holds no exploration (the only kind {@link DecisionCache} stores). */
export function isExploratoryDecision(decision: Decision): boolean {
  if (decision.explored) return true;
  for (const candidate of decision.candidates) if (candidate.exploratory) return true;
  return false;
}

/** A bounded, invalidating {@link DecisionCache}. */
export function createDecisionCache(options: DecisionCacheOptions = {}): DecisionCache {
  const maxEntries = options.maxEntries ?? 1000;
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a whole number of at least 1, got ${String(maxEntries)}.`);
  }
  if (!(maxAgeMs > 0)) {
    throw new RangeError(`maxAgeMs must be a positive number of milliseconds, got ${String(maxAgeMs)}.`);
  }
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const entries = new Map<string, Entry>();
  let snapshotVersion: number | undefined;
  let healthEpoch = 0;
  const counters = { hits: 0, misses: 0, refused: 0, invalidations: 0 };

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) {
        counters.misses += 1;
        return undefined;
      }
      entries.delete(key);
      if (clock.now() - entry.storedAt > maxAgeMs) {
        counters.misses += 1;
        return undefined;
      }
      entries.set(key, entry);
      counters.hits += 1;
      return entry.decision;
    },
    set(key, decision, selectedUnderEpoch = healthEpoch) {
      if (
        isExploratoryDecision(decision) ||
        selectedUnderEpoch !== healthEpoch ||
        (snapshotVersion !== undefined && decision.snapshotVersion !== snapshotVersion)
      ) {
        counters.refused += 1;
        return false;
      }
      entries.delete(key);
      entries.set(key, { decision, storedAt: clock.now() });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      return true;
    },
    sync(version, epoch) {
      if (version === snapshotVersion && epoch === healthEpoch) return;
      if (entries.size > 0) {
        entries.clear();
        counters.invalidations += 1;
      }
      snapshotVersion = version;
      healthEpoch = epoch;
    },
    clear() {
      entries.clear();
    },
    stats: () => ({ ...counters, size: entries.size }),
  };
}
