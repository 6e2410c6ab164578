import type { LoggerService } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { withQuietStartup } from './quiet-startup-logger.ts';

function recordingLogger(): { logger: LoggerService; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (...parameters: unknown[]): void => {
      calls.push([level, parameters]);
    };
  return {
    calls,
    logger: {
      log: record('log'),
      error: record('error'),
      warn: record('warn'),
      debug: record('debug'),
      verbose: record('verbose'),
      fatal: record('fatal'),
    },
  };
}

describe('withQuietStartup', () => {
  it("moves Nest's module and route messages to debug, with their message and context", () => {
    const { logger, calls } = recordingLogger();
    const quiet = withQuietStartup(logger);
    quiet.log('AppModule dependencies initialized', 'InstanceLoader');
    quiet.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    expect(calls).toEqual([
      ['debug', ['AppModule dependencies initialized', 'InstanceLoader']],
      ['debug', ['Mapped {/v1/models, GET} route', 'RouterExplorer']],
    ]);
  });

  it("keeps the application's own messages, and every warning and error, at their level", () => {
    const { logger, calls } = recordingLogger();
    const quiet = withQuietStartup(logger);
    quiet.log('Seeded the registry (version 1)', 'Registry');
    quiet.log('Nest application successfully started', 'NestApplication');
    quiet.warn('Redis is unreachable', 'RateLimiter');
    quiet.error('A route failed', 'RouterExplorer');
    quiet.log('no context at all');
    expect(calls.map(([level]) => level)).toEqual(['log', 'log', 'warn', 'error', 'log']);
  });
});
