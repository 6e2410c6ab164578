import type { ApiIssue } from '../errors/api-error.ts';

/** Field names that only ever hold a secret. */
const secretFieldName =
  /^(api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|access[-_]?token|auth[-_]?token|bearer[-_]?token|private[-_]?key)$/i;

/** Header names that carry credentials. */
const credentialHeaderName = /^(authorization|proxy-authorization|x-api-key|api-key|cookie)$/i;

/** Values shaped like a provider key or a bearer credential. */
const secretValue =
  /^(bearer\s+\S{8,}|basic\s+\S{8,}|(sk|rk|pk)-[A-Za-z0-9_-]{12,}|sk_[A-Za-z0-9]{12,}|sk-ant-\S{12,}|gsk_\S{12,}|xai-\S{12,}|AIza[A-Za-z0-9_-]{20,}|hf_[A-Za-z0-9]{20,})/i;

const advice =
  'put the key in an environment variable of the control plane and give the variable name in apiKeyEnv (for example "apiKeyEnv": "OPENAI_API_KEY")';

/**
 * Parts of an admin body that look like they carry a credential: a secret-named field anywhere, a
 * credential header, or any string shaped like a key (`sk-...`, `Bearer ...`). The registry holds
 * only the names of environment variables, so such a body is refused rather than stored, and the
 * issue never repeats the value.
 */
export function findSecretIssues(body: unknown): ApiIssue[] {
  const issues: ApiIssue[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') {
      if (secretValue.test(value.trim())) {
        issues.push({
          path: pathText(path),
          message: `looks like a secret key; never send keys to the registry: ${advice}`,
        });
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, String(index)]));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, field] of Object.entries(value)) {
      const fieldPath = [...path, key];
      const isHeader = path[path.length - 1] === 'headers';
      if (secretFieldName.test(key) || (isHeader && credentialHeaderName.test(key))) {
        issues.push({
          path: pathText(fieldPath),
          message: `the registry does not store secrets; remove this field and ${advice}`,
        });
        continue;
      }
      visit(field, fieldPath);
    }
  };
  visit(body, []);
  return issues;
}

function pathText(path: string[]): string {
  return path.length === 0 ? '(root)' : path.join('.');
}
