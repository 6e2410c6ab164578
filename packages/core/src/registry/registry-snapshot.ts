import { z } from 'zod';
import { formatZodIssues, SwitchboardValidationError, type ValidationIssue } from '../validation.ts';
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

/** Cross-references a schema cannot express: unique ids, and models and policies naming what exists. */
export function findReferenceIssues(content: RegistryContent): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const duplicates = (ids: string[], collection: string) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id)) issues.push({ path: [collection, String(index), 'id'], message: `duplicate id "${id}"` });
      seen.add(id);
    });
  };
  duplicates(
    content.providers.map((provider) => provider.id),
    'providers',
  );
  duplicates(
    content.models.map((model) => model.id),
    'models',
  );
  duplicates(
    content.policies.map((policy) => policy.name),
    'policies',
  );
  const providerIds = new Set(content.providers.map((provider) => provider.id));
  content.models.forEach((model, index) => {
    if (!providerIds.has(model.provider)) {
      issues.push({
        path: ['models', String(index), 'provider'],
        message: `unknown provider "${model.provider}"; add it under providers or fix the id`,
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
            message: `unknown model "${modelId}"`,
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
  const parsed = registryContentSchema.safeParse(input);
  if (!parsed.success) {
    throw new SwitchboardValidationError(
      `Invalid registry: ${formatZodIssues(parsed.error.issues)}`,
      parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    );
  }
  const referenceIssues = findReferenceIssues(parsed.data);
  if (referenceIssues.length > 0) {
    throw new SwitchboardValidationError(
      `Invalid registry: ${referenceIssues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      referenceIssues,
    );
  }
  return { ...parsed.data, ...stamp, hash: hashRegistryContent(parsed.data) };
}
