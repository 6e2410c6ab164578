/**
 * The behaviours a fault-server model name (or a simulated adapter's `behaviour`) selects. One
 * vocabulary for both, so a test written against the in-process simulator and one written against
 * real HTTP say the same thing.
 */
export type FaultBehaviour =
  | { type: 'healthy' }
  | { type: 'healthy-tools' }
  | { type: 'healthy-json' }
  | { type: 'rate-limit-retry-after'; retryAfterMs: number }
  | { type: 'rate-limit-persistent' }
  | { type: 'server-error-once' }
  | { type: 'unavailable' }
  | { type: 'unavailable-for'; durationMs: number }
  | { type: 'reset-before-headers' }
  | { type: 'never-answers' }
  | { type: 'slow-first-token'; delayMs: number }
  | { type: 'cut-after'; tokens: number }
  | { type: 'drop-after'; tokens: number }
  | { type: 'stall-after'; tokens: number }
  | { type: 'malformed-chunk' }
  | { type: 'no-done' }
  | { type: 'context-length' }
  | { type: 'content-policy' }
  | { type: 'rejects-prefill' }
  | { type: 'auth-error' };

/** A model name split into its behaviour and the scope that keeps stateful behaviours apart. */
export interface ParsedFaultModel {
  /** The full name as sent, `#scope` included: the key of per-scope state. */
  name: string;
  /** The part before `#`. */
  behaviourName: string;
  /** The part after `#`, when there is one. */
  scope: string | undefined;
  /** `undefined` when the name is not a known behaviour (the server answers 404 model_not_found). */
  behaviour: FaultBehaviour | undefined;
}

/** One behaviour as the CLI and `/v1/models` list it. */
export interface FaultBehaviourDescription {
  /** The name, with `<ms>` or `<n>` where a number goes. */
  name: string;
  description: string;
}

/** Every behaviour with what it does, for the CLI's help, `/v1/models` and documentation. */
export const faultBehaviourCatalogue: readonly FaultBehaviourDescription[] = Object.freeze([
  { name: 'healthy', description: 'the canonical answer, streamed token by token, with usage' },
  { name: 'healthy-tools', description: 'calls the first tool of the request with {"scene":"forest"}' },
  { name: 'healthy-json', description: 'answers with a JSON safety verdict' },
  { name: 'rate-limit-retry-after', description: '429 with retry-after: 1 and retry-after-ms: 1000' },
  { name: 'rate-limit-retry-after-<ms>', description: '429 asking to wait <ms> milliseconds' },
  { name: 'rate-limit-persistent', description: '429 without Retry-After, always' },
  { name: 'server-error-once', description: '500 on the first request of its scope, then healthy' },
  { name: 'unavailable', description: '503 always (529 overloaded_error on the Anthropic route)' },
  {
    name: 'unavailable-for-<ms>',
    description: "503 until <ms> after the scope's first request, then healthy",
  },
  { name: 'reset-before-headers', description: 'resets the TCP connection before any response byte' },
  { name: 'never-answers', description: 'accepts the request and never responds' },
  { name: 'slow-first-token-<ms>', description: 'headers at once, first token after <ms>, then healthy' },
  { name: 'cut-after-<n>', description: 'streams n tokens, then ends the response without a finish' },
  { name: 'drop-after-<n>', description: 'streams n tokens, then destroys the connection mid-body' },
  { name: 'stall-after-<n>', description: 'streams n tokens, then sends nothing more, connection left open' },
  { name: 'malformed-chunk', description: 'the full answer with one extra SSE event that is not valid JSON' },
  { name: 'no-done', description: 'the full answer and the finish, but never [DONE] / message_stop' },
  { name: 'context-length', description: '400 context_length_exceeded' },
  { name: 'content-policy', description: '400 content_policy_violation with a readable reason' },
  { name: 'rejects-prefill', description: '400 when the last message is an assistant turn, else healthy' },
  { name: 'auth-error', description: '401 invalid_api_key' },
]);

const fixedBehaviours: Record<string, FaultBehaviour> = {
  healthy: { type: 'healthy' },
  'healthy-tools': { type: 'healthy-tools' },
  'healthy-json': { type: 'healthy-json' },
  'rate-limit-retry-after': { type: 'rate-limit-retry-after', retryAfterMs: 1000 },
  'rate-limit-persistent': { type: 'rate-limit-persistent' },
  'server-error-once': { type: 'server-error-once' },
  unavailable: { type: 'unavailable' },
  'reset-before-headers': { type: 'reset-before-headers' },
  'never-answers': { type: 'never-answers' },
  'malformed-chunk': { type: 'malformed-chunk' },
  'no-done': { type: 'no-done' },
  'context-length': { type: 'context-length' },
  'content-policy': { type: 'content-policy' },
  'rejects-prefill': { type: 'rejects-prefill' },
  'auth-error': { type: 'auth-error' },
};

const parameterised: { prefix: string; build: (value: number) => FaultBehaviour }[] = [
  {
    prefix: 'rate-limit-retry-after-',
    build: (value) => ({ type: 'rate-limit-retry-after', retryAfterMs: value }),
  },
  { prefix: 'unavailable-for-', build: (value) => ({ type: 'unavailable-for', durationMs: value }) },
  { prefix: 'slow-first-token-', build: (value) => ({ type: 'slow-first-token', delayMs: value }) },
  { prefix: 'cut-after-', build: (value) => ({ type: 'cut-after', tokens: value }) },
  { prefix: 'drop-after-', build: (value) => ({ type: 'drop-after', tokens: value }) },
  { prefix: 'stall-after-', build: (value) => ({ type: 'stall-after', tokens: value }) },
];

function parseBehaviour(behaviourName: string): FaultBehaviour | undefined {
  const fixed = fixedBehaviours[behaviourName];
  if (fixed !== undefined) return fixed;
  for (const { prefix, build } of parameterised) {
    if (!behaviourName.startsWith(prefix)) continue;
    const digits = behaviourName.slice(prefix.length);
    if (/^\d{1,9}$/.test(digits)) return build(Number(digits));
  }
  return undefined;
}

/**
 * Reads a fault model name such as `server-error-once#t7` or `cut-after-12`. Anything after the
 * first `#` is the scope; the behaviour part is matched exactly.
 */
export function parseFaultModel(name: string): ParsedFaultModel {
  const hashAt = name.indexOf('#');
  const behaviourName = hashAt === -1 ? name : name.slice(0, hashAt);
  const scope = hashAt === -1 ? undefined : name.slice(hashAt + 1);
  return { name, behaviourName, scope, behaviour: parseBehaviour(behaviourName) };
}
