import type { z } from 'zod';
import type { ValidationIssue } from '../validation.ts';

/** zod's generic lead-ins; the field path already says where, so the rest says what was expected. */
const genericPrefix = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid number): /;

/**
 * zod's message minus its lead-in, with the field's absence or its wrong value said in so many
 * words. Needs issues parsed with `{ reportInput: true }` to tell a missing field from a wrong one.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(genericPrefix, '').replace(/, received undefined$/, '');
  if (!('input' in issue) || (issue.code !== 'invalid_type' && issue.code !== 'invalid_value'))
    return message;
  if (issue.input === undefined) return `${message}, but the field is missing`;
  if (issue.code === 'invalid_value') return `${message}, received ${preview(issue.input)}`;
  return message;
}

/** A short rendering of a wrong value, enough to recognise it in the file. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * zod issues as {@link ValidationIssue}s a person editing a registry file can act on: `expected
 * number, received string`. An unknown field gets an issue of its own whose path ends at that field
 * (`models.0.pricee: unknown field (check the spelling, or remove it)`), so a typo points at itself.
 */
export function toRegistryIssues(issues: readonly z.core.$ZodIssue[]): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: 'unknown field (check the spelling, or remove it)',
      }));
    }
    return [{ path, message: describeIssue(issue) }];
  });
}

/** `models.2.price: expected object`; `(root)` for the document itself. */
export function formatIssue(issue: ValidationIssue): string {
  return `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`;
}
