import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SwitchboardValidationError, type RegistrySnapshot } from '@switchboard/core';
import { systemClock, type ClientClock } from '../client-clock.ts';
import { unrefTimer } from '../unref-timer.ts';
import { loadRegistryFile } from './load-registry-file.ts';
import { warnRegistryProblem, type RegistrySource, type RegistrySourceProblem } from './registry-source.ts';
import { SnapshotHolder } from './snapshot-holder.ts';

/** Options of {@link createFileRegistrySource}. */
export interface FileRegistrySourceOptions {
  /** Reload the file when it changes. Default `false`. */
  watch?: boolean | undefined;
  /** Lay the file over core's default registry (see `loadRegistryFile`). Default `false`. */
  mergeWithDefaults?: boolean | undefined;
  /** Editors write a file in several steps; reload once it has been quiet this long. Default 50 ms. */
  debounceMs?: number | undefined;
  clock?: ClientClock | undefined;
  /** Told when a changed file cannot be read or is invalid. Default: a `console.warn` line. */
  onProblem?: ((problem: RegistrySourceProblem) => void) | undefined;
}

/**
 * A registry read from a YAML or JSON file, optionally reloaded when the file changes. The first
 * load must succeed (the returned promise rejects with the file's errors otherwise). After that, a
 * change that does not validate is reported through `onProblem` and ignored: the last good
 * snapshot stays in force, so a half-saved or mistyped edit never takes routing down. Each change
 * that alters the content raises the snapshot version by one.
 *
 * The directory is watched, not the file, because editors and deploy tools replace files by
 * renaming a new one over them, which ends a watch on the old file. The watcher does not keep the
 * process alive.
 */
export async function createFileRegistrySource(
  path: string,
  options: FileRegistrySourceOptions = {},
): Promise<RegistrySource> {
  const clock = options.clock ?? systemClock;
  const onProblem = options.onProblem ?? warnRegistryProblem;
  const load = (version: number): Promise<RegistrySnapshot> =>
    loadRegistryFile(path, { mergeWithDefaults: options.mergeWithDefaults, version, clock });
  const holder = new SnapshotHolder(await load(1));

  let watcher: FSWatcher | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let reloading = Promise.resolve();

  const reload = async (): Promise<void> => {
    const current = holder.current();
    try {
      const next = await load(current.version + 1);
      if (closed || next.hash === current.hash) return;
      holder.publish(next);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const kind = error instanceof SwitchboardValidationError ? 'invalid-snapshot' : 'fetch-failed';
      onProblem({ kind, message: `${reason} (keeping registry version ${current.version})` });
    }
  };

  if (options.watch === true) {
    const fileName = basename(path);
    const debounceMs = options.debounceMs ?? 50;
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (closed || (changed !== null && changed !== fileName)) return;
      if (debounce !== undefined) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = undefined;
        // One reload at a time, in order, so an older read never overwrites a newer one.
        reloading = reloading.then(reload);
      }, debounceMs);
      unrefTimer(debounce);
    });
    watcher.on('error', (error) => {
      onProblem({ kind: 'fetch-failed', message: `Stopped watching ${path}: ${error.message}` });
    });
  }

  return {
    current: () => holder.current(),
    subscribe: (listener) => holder.subscribe(listener),
    async close() {
      closed = true;
      if (debounce !== undefined) clearTimeout(debounce);
      watcher?.close();
      await reloading;
      holder.clear();
    },
  };
}
