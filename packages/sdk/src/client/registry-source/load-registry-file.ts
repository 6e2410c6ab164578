import { readFile } from 'node:fs/promises';
import {
  buildRegistrySnapshot,
  defaultRegistryContent,
  mergeRegistryContent,
  parseRegistryDocument,
  SwitchboardValidationError,
  type RegistrySnapshot,
} from '@switchboard/core';
import { systemClock, type ClientClock } from '../client-clock.ts';

/** Options of {@link loadRegistryFile}. */
export interface LoadRegistryFileOptions {
  /**
   * Lay the file over core's bundled defaults (`defaultRegistryContent()`), so a studio's file only
   * lists what it adds or replaces. Default `false`: the file is the whole registry.
   */
  mergeWithDefaults?: boolean | undefined;
  /** Version stamped on the snapshot. Default 1. */
  version?: number | undefined;
  /** Stamps `createdAt`. Default: the system clock. */
  clock?: ClientClock | undefined;
}

/**
 * Reads a registry file (`.yaml`, `.yml` or `.json`), validates it with core's
 * `parseRegistryDocument`, optionally lays it over the defaults, and builds a snapshot with core's
 * `buildRegistrySnapshot` (which checks references and stamps the content hash).
 *
 * Every failure says which file and what to fix: an unreadable file names the path and the system's
 * reason; an invalid one throws core's `SwitchboardValidationError`, whose message names the file,
 * the field, what was expected, and the line and column.
 */
export async function loadRegistryFile(
  path: string,
  options: LoadRegistryFileOptions = {},
): Promise<RegistrySnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot read registry file ${path}: ${reason}. Check the path and its permissions.`, {
      cause: error,
    });
  }
  const content = parseRegistryDocument(text, { fileName: path });
  const merged =
    options.mergeWithDefaults === true ? mergeRegistryContent(defaultRegistryContent(), content) : content;
  const stamp = {
    version: options.version ?? 1,
    createdAt: new Date((options.clock ?? systemClock).now()).toISOString(),
  };
  try {
    return buildRegistrySnapshot(merged, stamp);
  } catch (error) {
    if (!(error instanceof SwitchboardValidationError)) throw error;
    const where = options.mergeWithDefaults === true ? `${path} (laid over the default registry)` : path;
    throw new SwitchboardValidationError(`${where}: ${error.message}`, error.issues);
  }
}
