/** A plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a partial update to a stored spec: fields in `patch` replace the stored ones, nested
 * objects merge field by field, arrays and `null` replace whole. (Unlike RFC 7396, `null` sets the
 * field to null rather than deleting it, because `price: null`, "price unknown", is a value.)
 */
export function mergePatch(target: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    const next = isPlainObject(value) && isPlainObject(merged[key]) ? mergePatch(merged[key], value) : value;
    // defineProperty, not assignment: a `__proto__` key from JSON must stay a field, not a prototype.
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}
