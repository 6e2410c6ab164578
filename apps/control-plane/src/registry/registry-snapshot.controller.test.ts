import { describe, expect, it } from 'vitest';
import { matchesEtag } from './registry-snapshot.controller.ts';

describe('matchesEtag', () => {
  const etag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abd"', false],
    ['abc', false],
  ])('If-None-Match %s -> %s', (header, expected) => {
    expect(matchesEtag(header, etag)).toBe(expected);
  });
  it('is false without the header', () => {
    expect(matchesEtag(undefined, etag)).toBe(false);
  });
});
