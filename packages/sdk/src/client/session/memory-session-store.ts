import { systemClock, type ClientClock } from '../client-clock.ts';
import type { Session } from './session.ts';
import type { SessionStore } from './session-store.ts';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Most sessions kept; the least recently used is forgotten first. Default 10,000. */
  maxSessions?: number | undefined;
  /** A session not written for this long is forgotten. Default 24 hours. */
  ttlMs?: number | undefined;
  clock?: ClientClock | undefined;
}

interface Entry {
  session: Session;
  expiresAt: number;
}

/**
 * A {@link SessionStore} in this process's memory, bounded two ways: by count (least recently used
 * first) and by age (`ttlMs` after the last `put`), so an abandoned game never leaks memory. Good
 * for one instance; several instances behind a load balancer need a shared store.
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const maxSessions = options.maxSessions ?? 10_000;
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const clock = options.clock ?? systemClock;
  if (!Number.isInteger(maxSessions) || maxSessions < 1) {
    throw new RangeError(`maxSessions must be a whole number of at least 1, got ${String(maxSessions)}.`);
  }
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}.`);
  }
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();

  return {
    get(sessionId) {
      const entry = entries.get(sessionId);
      if (entry === undefined) return Promise.resolve(undefined);
      entries.delete(sessionId);
      if (entry.expiresAt <= clock.now()) return Promise.resolve(undefined);
      entries.set(sessionId, entry);
      return Promise.resolve(entry.session);
    },
    put(session) {
      entries.delete(session.id);
      entries.set(session.id, { session, expiresAt: clock.now() + ttlMs });
      while (entries.size > maxSessions) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
      return Promise.resolve();
    },
    delete(sessionId) {
      const entry = entries.get(sessionId);
      entries.delete(sessionId);
      return Promise.resolve(entry !== undefined && entry.expiresAt > clock.now());
    },
  };
}
