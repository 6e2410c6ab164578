import { z } from 'zod';

/** The environment as the control plane reads it: variable names to values, unset ones absent. */
export type Environment = Readonly<Record<string, string | undefined>>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How much the control plane logs; `silent` turns logging off (tests). */
export type LogLevel = (typeof logLevels)[number];

const urlWithProtocols = (protocols: readonly string[], example: string) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `expected a ${protocols.join(' or ')} URL such as ${example}`,
  });

/**
 * Every setting, typed. Field names are the code's; {@link environmentVariableOf} says which
 * variable sets each, so an error can name the variable the operator has to fix.
 */
export const controlPlaneConfigSchema = z.strictObject({
  /** TCP port to listen on; 0 picks a free one (tests). */
  port: z.coerce
    .number({ error: 'expected a port number from 0 to 65535' })
    .int('expected a port number from 0 to 65535')
    .min(0, 'expected a port number from 0 to 65535')
    .max(65_535, 'expected a port number from 0 to 65535')
    .default(8787),
  /** Interface to bind. Loopback by default, so a first start never exposes an unauthenticated admin API. */
  host: z.string().min(1, 'expected a host name or IP address such as 127.0.0.1').default('127.0.0.1'),
  /** Where the embedded PGlite database keeps its files when no DATABASE_URL is set. */
  dataDir: z.string().min(1, 'expected a directory path such as ./.data').default('./.data'),
  /** PostgreSQL connection string; when set, PostgreSQL replaces the embedded PGlite database. */
  databaseUrl: urlWithProtocols(
    ['postgres', 'postgresql'],
    'postgres://user@127.0.0.1:5432/switchboard',
  ).optional(),
  /**
   * PostgreSQL schema that holds every table (created when missing). Lets several test runs, or
   * several deployments, share one database without seeing each other's rows.
   */
  databaseSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case schema name such as switchboard or sb_test_1')
    .optional(),
  /** Redis connection string; required when several instances share state, optional for one. */
  redisUrl: urlWithProtocols(['redis', 'rediss'], 'redis://127.0.0.1:6379').optional(),
  /**
   * Prefix of every Redis key, channel and queue. Instances that share state must share it; separate
   * deployments (or test runs) on one Redis use different prefixes so they never see each other.
   */
  redisKeyPrefix: z
    .string()
    .regex(
      /^[A-Za-z0-9_.-]{1,64}$/,
      'expected letters, digits, dots, dashes or underscores, such as switchboard',
    )
    .default('switchboard'),
  /** Bootstrap admin API key; when unset one is generated and printed once at first start. */
  adminKey: z.string().min(16, 'expected at least 16 characters (a long random string)').optional(),
  logLevel: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
  /**
   * Milliseconds between active health probes of every enabled model; 0 turns probes off (passive
   * outcomes of real traffic still count). Probes to hosted providers cost a little money each.
   */
  probeIntervalMs: z.coerce
    .number({ error: 'expected milliseconds, or 0 to turn probes off' })
    .int('expected whole milliseconds')
    .min(0, 'expected milliseconds, or 0 to turn probes off')
    .default(60_000),
  /**
   * What budgets do while Redis is configured but unreachable: `open` keeps serving, counting on
   * this instance and adding its spending to the shared counters once Redis is back; `closed`
   * refuses every request a budget applies to until Redis answers again.
   */
  budgetRedisFailure: z.enum(['open', 'closed'], { error: 'expected "open" or "closed"' }).default('open'),
  /** Where a local Ollama listens (its OpenAI-compatible `/v1`); seeding adds the Ollama provider when set. */
  ollamaUrl: urlWithProtocols(['http', 'https'], 'http://127.0.0.1:11434/v1').optional(),
});

/** The control plane's validated settings. */
export type ControlPlaneConfig = z.output<typeof controlPlaneConfigSchema> & {
  /**
   * The environment the settings were read from. Provider keys are read from it by name when a
   * model is called, and seeding checks which key variables are set. Never log it.
   */
  readonly environment: Environment;
};

/** Settings given in code (tests, embedding hosts); they win over the environment. */
export type ControlPlaneConfigOverrides = Partial<z.input<typeof controlPlaneConfigSchema>>;

type ConfigField = keyof z.output<typeof controlPlaneConfigSchema>;

/** Which environment variable sets each field. */
export const environmentVariableOf: Readonly<Record<ConfigField, string>> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'SWITCHBOARD_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'SWITCHBOARD_DATABASE_SCHEMA',
  redisUrl: 'REDIS_URL',
  redisKeyPrefix: 'SWITCHBOARD_REDIS_PREFIX',
  adminKey: 'SWITCHBOARD_ADMIN_KEY',
  logLevel: 'LOG_LEVEL',
  ollamaUrl: 'OLLAMA_URL',
  probeIntervalMs: 'SWITCHBOARD_PROBE_INTERVAL_MS',
  budgetRedisFailure: 'SWITCHBOARD_BUDGET_REDIS_FAILURE',
};

/** A setting that cannot be used; start-up stops with this message, which names the variable. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/**
 * Reads and checks the settings once, at start-up. Empty variables count as unset. A bad value
 * throws a {@link ConfigurationError} naming every offending variable and what it expects, so the
 * process fails before it binds a port rather than at the first request. Values are never echoed:
 * some variables hold secrets.
 */
export function loadControlPlaneConfig(
  environment: Environment,
  overrides: ControlPlaneConfigOverrides = {},
): ControlPlaneConfig {
  const fromEnvironment: Record<string, string> = {};
  for (const [field, variable] of Object.entries(environmentVariableOf)) {
    const value = environment[variable]?.trim();
    if (value !== undefined && value !== '') fromEnvironment[field] = value;
  }
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const parsed = controlPlaneConfigSchema.safeParse({ ...fromEnvironment, ...given });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const variable = environmentVariableOf[field as ConfigField] ?? field;
      const source = field in given ? `${variable} (given as the "${field}" option)` : variable;
      return `${source}: ${issue.message.replace(/^Invalid input: /, '')}`;
    });
    throw new ConfigurationError(
      `Invalid configuration: ${problems.join('; ')}. Fix the variable and start again.`,
    );
  }
  return { ...parsed.data, environment };
}

/** The settings safe to print: no keys, no passwords in connection strings, no environment. */
export function describeConfig(config: ControlPlaneConfig): Record<string, string | number> {
  const described: Record<string, string | number> = {
    port: config.port,
    host: config.host,
    storage: config.databaseUrl === undefined ? `pglite ${config.dataDir}` : redactUrl(config.databaseUrl),
    logLevel: config.logLevel,
  };
  if (config.databaseSchema !== undefined) described.databaseSchema = config.databaseSchema;
  if (config.redisUrl !== undefined) described.redis = redactUrl(config.redisUrl);
  if (config.ollamaUrl !== undefined) described.ollama = config.ollamaUrl;
  return described;
}

function redactUrl(value: string): string {
  const url = new URL(value);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
