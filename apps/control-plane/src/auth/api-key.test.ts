import { describe, expect, it } from 'vitest';
import { displayPrefixOf, generateApiKey, hashApiKey, hashesEqual } from './api-key.ts';
import { presentedKeyOf } from './api-key.guard.ts';

describe('API keys', () => {
  it('look like sb_<scope>_<43 base64url characters> and are never the same twice', () => {
    const first = generateApiKey('service');
    expect(first).toMatch(/^sb_service_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey('admin')).toMatch(/^sb_admin_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey('service')).not.toBe(first);
  });

  it('are stored as a SHA-256 hash that does not contain the key', () => {
    const key = generateApiKey('admin');
    const hash = hashApiKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(hash, hashApiKey(key))).toBe(true);
    expect(hashesEqual(hash, hashApiKey(`${key}x`))).toBe(false);
    expect(hashesEqual(hash, 'abcd')).toBe(false);
  });

  it('hash to the same SHA-256 hex as the keys already stored (UTF-8 input)', () => {
    expect(hashApiKey('sb_service_\u00e9xample-key')).toBe(
      'a570fdd3591998672a4c05b2228dea1b260c5dafca0a0d8abdf222c1ac79f66e',
    );
  });

  it('show only a short prefix in lists', () => {
    const key = generateApiKey('service');
    const prefix = displayPrefixOf(key);
    expect(prefix).toBe(`${key.slice(0, 'sb_service_'.length + 4)}…`);
    expect(displayPrefixOf('my-own-long-admin-key-from-env')).toBe('my-o…');
  });
});

describe('presentedKeyOf', () => {
  it('reads a Bearer token, case-insensitively, before x-api-key', () => {
    expect(presentedKeyOf({ authorization: 'bearer abc', 'x-api-key': 'other' })).toEqual({
      kind: 'key',
      key: 'abc',
    });
    expect(presentedKeyOf({ 'x-api-key': ' abc ' })).toEqual({ kind: 'key', key: 'abc' });
  });

  it('tells a missing key from an Authorization header of another scheme', () => {
    expect(presentedKeyOf({})).toEqual({ kind: 'missing' });
    expect(presentedKeyOf({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ kind: 'malformed' });
    expect(presentedKeyOf({ authorization: 'Bearer' })).toEqual({ kind: 'malformed' });
  });
});
