import type { RegistrySnapshot } from '@switchboard/core';
import type { RegistrySource } from './registry-source.ts';

/**
 * A source that always returns one snapshot: for tests, embedded defaults
 * (`defaultRegistrySnapshot()` from core), and hosts that manage snapshots themselves.
 */
export function createStaticRegistrySource(snapshot: RegistrySnapshot): RegistrySource {
  return {
    current: () => snapshot,
    subscribe: () => () => {},
    close: () => Promise.resolve(),
  };
}
