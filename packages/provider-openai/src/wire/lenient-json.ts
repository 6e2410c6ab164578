/**
 * Lenient readers for JSON that arrives from providers. Provider bodies are parsed for the few
 * fields we read and nothing else: an unknown extra field, or a field of an unexpected type, reads as
 * `undefined` instead of failing the whole answer.
 *
 * zod is the house tool for this, but it is not a dependency of this package (and package.json is
 * not ours to edit), so these few readers stand in for `z.looseObject` with `.catch(undefined)`.
 */

/** A JSON object, or `undefined` for anything else (arrays, null, primitives). */
export type JsonRecord = Record<string, unknown>;

/** The value as an object, when it is a plain (non-array) object. */
export function readRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

/** The value as an array, when it is one. */
export function readArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The value as a string, when it is one. */
export function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value as a finite number, when it is one. */
export function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The value as a non-negative integer count (token counts, sizes), when it is one. */
export function readCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The value as an array of strings, keeping only the string entries. */
export function readStringArray(value: unknown): string[] | undefined {
  const array = readArray(value);
  return array?.filter((entry): entry is string => typeof entry === 'string');
}
