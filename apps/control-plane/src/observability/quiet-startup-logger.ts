import type { LoggerService } from '@nestjs/common';

/**
 * The contexts of Nest's own start-up messages: one line per module (`InstanceLoader`) and one per
 * controller and route (`RoutesResolver`, `RouterExplorer`), about seventy for this application.
 */
export const nestStartupContexts: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** Nest passes the context as the last parameter after the message. */
function isStartupChatter(parameters: readonly unknown[]): boolean {
  const context = parameters.at(-1);
  return typeof context === 'string' && nestStartupContexts.has(context);
}

/**
 * Nest's logger with its start-up messages ({@link nestStartupContexts}) moved from `info` to
 * `debug`; everything else passes through unchanged. At `info` they followed the first start's
 * admin key and URLs on the terminal and pushed them out of sight, and in a log store they repeat
 * the same seventy lines at every start, saying nothing an operator acts on. `LOG_LEVEL=debug`
 * still shows them.
 */
export function withQuietStartup(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...parameters: unknown[]) => {
      if (isStartupChatter(parameters)) logger.debug?.(message, ...parameters);
      else logger.log(message, ...parameters);
    },
    error: (message: unknown, ...parameters: unknown[]) => logger.error(message, ...parameters),
    warn: (message: unknown, ...parameters: unknown[]) => logger.warn(message, ...parameters),
    debug: (message: unknown, ...parameters: unknown[]) => logger.debug?.(message, ...parameters),
    verbose: (message: unknown, ...parameters: unknown[]) => logger.verbose?.(message, ...parameters),
    fatal: (message: unknown, ...parameters: unknown[]) => logger.fatal?.(message, ...parameters),
  };
}
