import { describe, expect, it } from 'vitest';
import { ConfigurationError, describeConfig, loadControlPlaneConfig } from './control-plane-config.ts';

describe('loadControlPlaneConfig', () => {
  it('starts on the embedded defaults when nothing is set', () => {
    const config = loadControlPlaneConfig({});
    expect(config).toMatchObject({ port: 8787, host: '127.0.0.1', dataDir: './.data', logLevel: 'info' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads every variable, treats empty ones as unset, and lets options win', () => {
    const config = loadControlPlaneConfig(
      {
        PORT: '9000',
        HOST: '0.0.0.0',
        SWITCHBOARD_DATA_DIR: '/var/lib/switchboard',
        DATABASE_URL: 'postgres://switchboard@db:5432/switchboard',
        REDIS_URL: 'redis://cache:6379',
        SWITCHBOARD_ADMIN_KEY: 'a-long-random-admin-key',
        LOG_LEVEL: 'debug',
        OLLAMA_URL: '',
      },
      { port: 0 },
    );
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/var/lib/switchboard',
      databaseUrl: 'postgres://switchboard@db:5432/switchboard',
      redisUrl: 'redis://cache:6379',
      logLevel: 'debug',
    });
    expect(config.ollamaUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty', /PORT: expected a port number/],
    ['PORT', '70000', /PORT: expected a port number/],
    ['DATABASE_URL', 'mysql://db/x', /DATABASE_URL: expected a postgres or postgresql URL/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL: expected a redis or rediss URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of fatal, error/],
    ['OLLAMA_URL', 'ftp://x', /OLLAMA_URL: expected a http or https URL/],
    [
      'SWITCHBOARD_DATABASE_SCHEMA',
      'Drop Table',
      /SWITCHBOARD_DATABASE_SCHEMA: expected a lower-case schema name/,
    ],
  ])('fails start-up on a bad %s, naming the variable', (variable, value, message) => {
    expect(() => loadControlPlaneConfig({ [variable]: value })).toThrow(ConfigurationError);
    expect(() => loadControlPlaneConfig({ [variable]: value })).toThrow(message);
  });

  it('never repeats a secret value in its error', () => {
    const attempt = () => loadControlPlaneConfig({ SWITCHBOARD_ADMIN_KEY: 'short-secret' });
    expect(attempt).toThrow(/SWITCHBOARD_ADMIN_KEY: expected at least 16 characters/);
    expect(attempt).not.toThrow(/short-secret/);
  });

  it('names the option, not only the variable, when an option is wrong', () => {
    expect(() => loadControlPlaneConfig({}, { port: -1 })).toThrow(/PORT \(given as the "port" option\)/);
  });

  it('describes itself without passwords or the admin key', () => {
    const config = loadControlPlaneConfig({
      DATABASE_URL: 'postgres://user:hunter2@db:5432/switchboard',
      SWITCHBOARD_ADMIN_KEY: 'a-long-random-admin-key',
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).toContain('db:5432');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('a-long-random-admin-key');
  });
});
