import { describe, expect, it } from 'vitest';
import { requestLogLevel } from './logger-params.ts';

const slowRequestMs = 1_000;

describe('requestLogLevel', () => {
  it('keeps fast successful /v1/select and /v1/chat/completions answers out of the info log', () => {
    for (const path of ['/v1/select', '/v1/chat/completions']) {
      expect(requestLogLevel({ path, statusCode: 200, failed: false, elapsedMs: 3 }, slowRequestMs)).toBe(
        'debug',
      );
    }
  });

  it('still logs hot-path errors and slow answers', () => {
    const path = '/v1/chat/completions';
    expect(requestLogLevel({ path, statusCode: 429, failed: false, elapsedMs: 3 }, slowRequestMs)).toBe(
      'warn',
    );
    expect(requestLogLevel({ path, statusCode: 502, failed: false, elapsedMs: 3 }, slowRequestMs)).toBe(
      'error',
    );
    expect(requestLogLevel({ path, statusCode: 200, failed: true, elapsedMs: 3 }, slowRequestMs)).toBe(
      'error',
    );
    expect(requestLogLevel({ path, statusCode: 200, failed: false, elapsedMs: 1_000 }, slowRequestMs)).toBe(
      'info',
    );
    expect(
      requestLogLevel({ path, statusCode: 200, failed: false, elapsedMs: undefined }, slowRequestMs),
    ).toBe('info');
  });

  it('logs successful answers on every other route at info', () => {
    for (const path of ['/admin/models', '/v1/models', '/v1/registry/snapshot', '/v1/feedback']) {
      expect(requestLogLevel({ path, statusCode: 200, failed: false, elapsedMs: 1 }, slowRequestMs)).toBe(
        'info',
      );
    }
  });
});
