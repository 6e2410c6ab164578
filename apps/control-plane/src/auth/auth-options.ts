import { defaultApiKeyCacheSettings, type ApiKeyCacheSettings } from './api-key-cache.ts';

/** Who may read Prometheus' `/metrics`. */
export type MetricsAccess = 'open' | 'admin';

/** How the auth module behaves; every field has a default (see {@link defaultAuthOptions}). */
export interface AuthOptions {
  /**
   * Requests per minute for a key created without its own limit (a burst of up to this many is
   * allowed, refilling continuously). 6,000 (100 a second) suits a game server's service key.
   */
  defaultRateLimitPerMinute: number;
  /**
   * `open` (default): `/metrics` answers without a key, as Prometheus scrapers on an internal
   * network commonly expect. `admin`: it needs an admin key, for deployments whose metrics port is
   * reachable from outside.
   */
  metricsAccess: MetricsAccess;
  /**
   * Where the generated bootstrap admin key is printed, once. Default: standard output directly,
   * never the structured log, so log shipping never carries the key.
   */
  announce: (text: string) => void;
  /**
   * How long checked keys are remembered in memory, so most requests skip the database. Default:
   * active keys 10 s (also how long another instance keeps accepting a key revoked elsewhere),
   * unknown keys 2 s, 10,000 of each.
   */
  keyCache: ApiKeyCacheSettings;
}

/** The defaults of {@link AuthOptions}. */
export const defaultAuthOptions: Readonly<AuthOptions> = Object.freeze({
  defaultRateLimitPerMinute: 6_000,
  metricsAccess: 'open',
  announce: (text: string): void => {
    process.stdout.write(text);
  },
  keyCache: defaultApiKeyCacheSettings,
});

/** Injection token of the resolved {@link AuthOptions}. */
export const AUTH_OPTIONS = Symbol.for('switchboard.control-plane.auth-options');
