import { defaultRegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createStaticRegistrySource } from './static-registry-source.ts';

describe('createStaticRegistrySource', () => {
  it('always returns the snapshot it was given, before and after close()', async () => {
    const snapshot = defaultRegistrySnapshot();
    const source = createStaticRegistrySource(snapshot);
    const unsubscribe = source.subscribe(() => {
      throw new Error('a static source never changes');
    });
    expect(source.current()).toBe(snapshot);
    unsubscribe();
    await source.close();
    expect(source.current()).toBe(snapshot);
  });
});
