import { describe, expect, it } from 'vitest';
import { createMemorySessionStore } from './memory-session-store.ts';
import { appendTurn, createSession } from './session.ts';

function manualClock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createMemorySessionStore', () => {
  it('returns what was put, and forgets what was deleted', async () => {
    const store = createMemorySessionStore();
    const session = appendTurn(createSession('a', { now: 0 }), { user: 'hi', assistant: 'hello' }, 1);
    await store.put(session);
    expect(await store.get('a')).toBe(session);
    expect(await store.delete('a')).toBe(true);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.delete('a')).toBe(false);
  });

  it('forgets a session not written for ttlMs', async () => {
    const clock = manualClock();
    const store = createMemorySessionStore({ ttlMs: 1000, clock });
    await store.put(createSession('a', { now: clock.now() }));
    clock.advance(999);
    expect(await store.get('a')).toBeDefined();
    await store.put(createSession('a', { now: clock.now() }));
    clock.advance(999);
    expect(await store.get('a')).toBeDefined();
    clock.advance(1);
    expect(await store.get('a')).toBeUndefined();
  });

  it('forgets the least recently used session beyond maxSessions', async () => {
    const store = createMemorySessionStore({ maxSessions: 2 });
    await store.put(createSession('a', { now: 0 }));
    await store.put(createSession('b', { now: 0 }));
    await store.get('a');
    await store.put(createSession('c', { now: 0 }));
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
  });

  it('rejects bounds that would keep nothing', () => {
    expect(() => createMemorySessionStore({ maxSessions: 0 })).toThrow(/maxSessions/);
    expect(() => createMemorySessionStore({ ttlMs: -1 })).toThrow(/ttlMs/);
  });
});
