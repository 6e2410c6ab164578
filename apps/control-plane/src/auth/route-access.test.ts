import { describe, expect, it } from 'vitest';
import { requiredAccess, scopeGrants, usesOpenAiErrorShape } from './route-access.ts';

describe('requiredAccess', () => {
  it('needs admin under /admin and service under /v1, even without a declared scope', () => {
    expect(requiredAccess(undefined, '/admin/api-keys', 'open')).toBe('admin');
    expect(requiredAccess(undefined, '/v1/chat/completions', 'open')).toBe('service');
  });

  it('never lets a declared scope lower what the path needs', () => {
    expect(requiredAccess('service', '/admin/models', 'open')).toBe('admin');
    expect(requiredAccess('admin', '/v1/registry/snapshot', 'open')).toBe('admin');
  });

  it('leaves health, docs and (by default) metrics open', () => {
    expect(requiredAccess(undefined, '/health/ready', 'open')).toBe('open');
    expect(requiredAccess(undefined, '/docs', 'open')).toBe('open');
    expect(requiredAccess(undefined, '/metrics', 'open')).toBe('open');
    expect(requiredAccess(undefined, '/metrics', 'admin')).toBe('admin');
  });

  it('does not mistake a path that merely starts with the same letters', () => {
    expect(requiredAccess(undefined, '/administrator', 'open')).toBe('open');
    expect(requiredAccess(undefined, '/v10/things', 'open')).toBe('open');
  });
});

describe('scopeGrants', () => {
  it('lets admin do everything and service only the /v1 API', () => {
    expect(scopeGrants('admin', 'admin')).toBe(true);
    expect(scopeGrants('admin', 'service')).toBe(true);
    expect(scopeGrants('service', 'service')).toBe(true);
    expect(scopeGrants('service', 'admin')).toBe(false);
  });
});

describe('usesOpenAiErrorShape', () => {
  it('covers the OpenAI-compatible routes only', () => {
    expect(usesOpenAiErrorShape('/v1/chat/completions')).toBe(true);
    expect(usesOpenAiErrorShape('/v1/models')).toBe(true);
    expect(usesOpenAiErrorShape('/v1/models/:id')).toBe(true);
    expect(usesOpenAiErrorShape('/v1/select')).toBe(false);
    expect(usesOpenAiErrorShape('/v1/registry/snapshot')).toBe(false);
  });
});
