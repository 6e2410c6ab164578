import { describe, expect, it } from 'vitest';
import { findSecretIssues } from './find-secret-issues.ts';

describe('findSecretIssues', () => {
  it('accepts a provider that names its key variable', () => {
    expect(
      findSecretIssues({
        id: 'openai',
        kind: 'openai-compatible',
        apiKeyEnv: 'OPENAI_API_KEY',
        headers: { 'HTTP-Referer': 'https://studio.example' },
      }),
    ).toEqual([]);
  });

  it('accepts model fields that merely mention tokens', () => {
    expect(
      findSecretIssues({
        maxOutputTokens: 10,
        latencyPriors: { timeToFirstTokenP50Ms: 1 },
        tags: ['sk-short'],
      }),
    ).toEqual([]);
  });

  it.each([
    [{ apiKey: 'anything' }, 'apiKey'],
    [{ api_key: 'anything' }, 'api_key'],
    [{ nested: { password: 'x' } }, 'nested.password'],
    [{ headers: { Authorization: 'x' } }, 'headers.Authorization'],
    [{ headers: { 'x-api-key': 'x' } }, 'headers.x-api-key'],
    [{ apiKeyEnv: 'sk-proj-1234567890abcdefghij' }, 'apiKeyEnv'],
    [{ description: 'Bearer abcdefghijklmnop' }, 'description'],
    [{ tags: ['sk-ant-api03-abcdefghijklmnop'] }, 'tags.0'],
  ])('flags %j at %s, without the value', (body, path) => {
    const issues = findSecretIssues(body);
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toMatch(/environment variable.*apiKeyEnv/);
    expect(JSON.stringify(issues)).not.toMatch(/abcdefghij/);
  });
});
