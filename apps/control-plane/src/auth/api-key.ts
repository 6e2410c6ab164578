import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RouteScope } from '../http/route-scope.ts';

/**
 * The scopes a key can have. `admin` may do everything (`/admin/*` and `/v1/*`); `service` may use
 * the `/v1` API only (game services, the SDK, OpenAI clients). A key has one scope: admin already
 * includes everything service may do, so a set of scopes would add nothing.
 */
export const apiKeyScopes = ['admin', 'service'] as const satisfies readonly RouteScope[];

/** The scope of one key. */
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** Random bytes in a key: 256 bits, so guessing is hopeless and a fast hash is the right storage. */
const keyEntropyBytes = 32;

/** Characters of the random part shown in the display prefix: enough to tell keys apart, useless to an attacker. */
const displayedRandomCharacters = 4;

const keyFormat = /^sb_(admin|service)_([A-Za-z0-9_-]{43})$/;

/**
 * A new API key, `sb_<scope>_<43 base64url characters>`. The scope in the text lets a person (and a
 * secret scanner) recognise what a leaked key grants; the guard never trusts it, only the stored row.
 */
export function generateApiKey(scope: ApiKeyScope): string {
  return `sb_${scope}_${randomBytes(keyEntropyBytes).toString('base64url')}`;
}

/**
 * The stored form of a key: SHA-256, hex. Keys are 256 random bits, so a slow password hash would
 * add nothing but latency to every request; the hash only keeps a database leak from being a key leak.
 */
export function hashApiKey(key: string): string {
  // The one-shot `hash` (Node >= 20.12), several times cheaper than createHash/update/digest:
  // the guard hashes the presented key on every request to look it up in the cache.
  return hash('sha256', key, 'hex');
}

/** Compares two hex hashes in time independent of where they differ. */
export function hashesEqual(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'hex');
  const rightBytes = Buffer.from(right, 'hex');
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes);
}

/**
 * What lists show of a key so people can tell which one it is: `sb_service_Ab3x…` for keys made
 * here; for a bootstrap key of another format (SWITCHBOARD_ADMIN_KEY), its first four characters.
 */
export function displayPrefixOf(key: string): string {
  const match = keyFormat.exec(key);
  if (match === null) return `${key.slice(0, 4)}…`;
  return `sb_${match[1]}_${match[2]!.slice(0, displayedRandomCharacters)}…`;
}
