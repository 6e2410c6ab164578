import type { z } from 'zod';

/** One problem found in input from outside: where it is and what was expected there. */
export interface ValidationIssue {
  /** Path of the offending field, e.g. `['models', '3', 'price', 'inputPerMillionMicros']`. */
  path: string[];
  message: string;
}

/**
 * Input from outside (a context, a registry file, an API body) that does not fit its schema. The
 * message names every offending field, so the person who sent it knows what to fix.
 */
export class SwitchboardValidationError extends Error {
  readonly issues: ValidationIssue[];

  constructor(message: string, issues: ValidationIssue[]) {
    super(message);
    this.name = 'SwitchboardValidationError';
    this.issues = issues;
  }
}

/** Renders zod issues as `field.path: what was expected` sentences joined by `; `. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
