import type { Session } from './session.ts';

/**
 * Where sessions live between requests. Asynchronous so that a shared store (Redis, a database)
 * can implement it as well as the in-memory one; the client keeps no session state of its own.
 *
 * A store holds whole sessions and replaces them whole on `put`: two requests on one session at the
 * same time would lose one of the turns, so the client runs requests of one session one after the
 * other (in one process; across processes the store must do it).
 */
export interface SessionStore {
  /** The session, or `undefined` when it does not exist or has expired. */
  get(sessionId: string): Promise<Session | undefined>;
  /** Stores the session under its id, replacing what was there. */
  put(session: Session): Promise<void>;
  /** Forgets the session; resolves `true` when there was one. */
  delete(sessionId: string): Promise<boolean>;
}
