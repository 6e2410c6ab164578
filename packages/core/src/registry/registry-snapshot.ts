import { z } from 'zod';
import { SwitchboardValidationError, type ValidationIssue } from '../validation.ts';
import { formatIssue, toRegistryIssues } from './registry-issues.ts';
import { modelSpecSchema, providerSpecSchema } from './model-spec.ts';
import { routingPolicySchema } from './routing-policy.ts';
import { canonicalJson, sha256Hex } from './content-hash.ts';

/** The editable content of a registry: what a file or the admin API provides. */
export const registryContentSchema = z.strictObject({
  providers: z.array(providerSpecSchema).default([]),
  models: z.array(modelSpecSchema).default([]),
  policies: z.array(routingPolicySchema).default([]),
});
export type RegistryContent = z.output<typeof registryContentSchema>;
export type RegistryContentInput = z.input<typeof registryContentSchema>;

/**
 * An immutable, versioned view of the registry that selection runs against. `hash` is the SHA-256
 * of the canonical content, so two snapshots with equal hashes route identically and clients can
 * use it as an ETag.
 */
export const registrySnapshotSchema = registryContentSchema.extend({
  /** Increases by one with every change the control plane accepts. */
  version: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** When this version was made, ISO 8601. */
  createdAt: z.string(),
});
export type RegistrySnapshot = z.output<typeof registrySnapshotSchema>;

/**
 * Ids (and policy names) used twice in one collection. Checked on every registry file on its own,
 * because a duplicate is a mistake even in a file that extends another.
 */
export function findDuplicateIds(content: RegistryContent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const duplicates = (collection: string, field: string, ids: string[]) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id)) {
        issues.push({
          path: [collection, String(index), field],
          message: `duplicate ${field} "${id}" (each must be unique within ${collection})`,
        });
      }
      seen.add(id);
    });
  };
  duplicates(
    'providers',
    'id',
    content.providers.map((provider) => provider.id),
  );
  duplicates(
    'models',
    'id',
    content.models.map((model) => model.id),
  );
  duplicates(
    'policies',
    'name',
    content.policies.map((policy) => policy.name),
  );
  return issues;
}

/**
 * Cross-references a schema cannot express: unique ids, and models and policies naming what exists.
 * Checked on the merged registry only, since a studio file may refer to providers and models of
 * the defaults it extends.
 */
export function findReferenceIssues(content: RegistryContent): ValidationIssue[] {
  const issues = findDuplicateIds(content);
  const providerIds = new Set(content.providers.map((provider) => provider.id));
  content.models.forEach((model, index) => {
    if (!providerIds.has(model.provider)) {
      issues.push({
        path: ['models', String(index), 'provider'],
        message: `unknown provider "${model.provider}" (add it under providers, or fix the id)`,
      });
    }
  });
  const modelIds = new Set(content.models.map((model) => model.id));
  content.policies.forEach((policy, index) => {
    for (const field of ['allowModels', 'denyModels'] as const) {
      (policy[field] ?? []).forEach((modelId, position) => {
        if (!modelIds.has(modelId)) {
          issues.push({
            path: ['policies', String(index), field, String(position)],
            message: `unknown model "${modelId}" (add it under models, or fix the id)`,
          });
        }
      });
    }
  });
  return issues;
}

/** The content hash of a registry: SHA-256 of its canonical JSON. */
export function hashRegistryContent(content: RegistryContent): string {
  return sha256Hex(canonicalJson(content));
}

/**
 * Validates registry content (schemas and cross-references) and stamps it as a snapshot. Throws a
 * {@link SwitchboardValidationError} naming every bad field; nothing is half-built.
 */
export function buildRegistrySnapshot(
  input: unknown,
  stamp: { version: number; createdAt: string },
): RegistrySnapshot {
  const parsed = registryContentSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const issues = toRegistryIssues(parsed.error.issues);
    throw new SwitchboardValidationError(`Invalid registry: ${issues.map(formatIssue).join('; ')}`, issues);
  }
  const referenceIssues = findReferenceIssues(parsed.data);
  if (referenceIssues.length > 0) {
    throw new SwitchboardValidationError(
      `Invalid registry: ${referenceIssues.map(formatIssue).join('; ')}`,
      referenceIssues,
    );
  }
  return { ...parsed.data, ...stamp, hash: hashRegistryContent(parsed.data) };
}
