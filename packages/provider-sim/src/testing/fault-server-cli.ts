/**
 * Runs the fault server on its own, for trying clients by hand:
 * `pnpm --filter @switchboard/provider-sim fault-server -- --port 4010 [--host 127.0.0.1] [--token-delay-ms 2]`.
 * Prints the base URLs and every behaviour, then serves until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { faultBehaviourCatalogue } from '../fault-behaviour.ts';
import { startFaultServer } from './fault-server.ts';

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`--${name} must be a non-negative integer, got "${value}".`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((argument) => argument !== '--'),
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      'token-delay-ms': { type: 'string' },
    },
  });
  const server = await startFaultServer({
    port: numberOption(values.port, 'port'),
    host: values.host,
    tokenDelayMs: numberOption(values['token-delay-ms'], 'token-delay-ms'),
  });
  const width = Math.max(...faultBehaviourCatalogue.map((behaviour) => behaviour.name.length));
  const lines = [
    `Fault server listening on ${server.url}`,
    `  OpenAI base URL:    ${server.openaiBaseUrl}   (POST /chat/completions, GET /models)`,
    `  Anthropic base URL: ${server.anthropicBaseUrl}   (POST /v1/messages)`,
    '',
    'Model names pick a behaviour; add #<scope> to keep stateful ones apart (server-error-once#t1):',
    ...faultBehaviourCatalogue.map(
      (behaviour) => `  ${behaviour.name.padEnd(width)}  ${behaviour.description}`,
    ),
    '',
    'Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Could not start the fault server: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
