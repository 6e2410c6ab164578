import { defaultRegistrySnapshot } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { SnapshotHolder } from './snapshot-holder.ts';

describe('SnapshotHolder', () => {
  it('tells every listener of a new snapshot even when one of them throws, and stops on unsubscribe', () => {
    const first = defaultRegistrySnapshot();
    const second = { ...first, version: 2 };
    const holder = new SnapshotHolder(first);
    const seen: number[] = [];
    holder.subscribe(() => {
      throw new Error('faulty subscriber');
    });
    const unsubscribe = holder.subscribe((snapshot) => seen.push(snapshot.version));
    holder.publish(second);
    unsubscribe();
    holder.publish({ ...first, version: 3 });
    expect(seen).toEqual([2]);
    expect(holder.current().version).toBe(3);
  });
});
