import 'reflect-metadata';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { faultModels, startGatewayTestApp, type GatewayTestApp } from './support/gateway-test-app.ts';

const target = testDatabaseTargets().find((candidate) => candidate.name === 'PGlite')!;

/** Cases per property; the two properties together send 1,200 requests over HTTP. */
const arbitraryBodyRuns = 500;
const mutatedBodyRuns = 700;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A request the gateway accepts; the mutations below start from it. */
function validBody(): Record<string, Json> {
  return {
    model: 'switchboard/auto',
    messages: [
      { role: 'system', content: 'You narrate a gentle text adventure.' },
      { role: 'user', content: 'I open the door.' },
    ],
    max_tokens: 64,
    switchboard: { task: 'dialogue_generation', risk: 'low', creativity: 0.5 },
  };
}

/** Values a field is set to: well-formed ones of other fields, edge cases, and anything at all. */
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1, 2.5, 1e308, '', 'auto', 'none', 'required'),
  fc.constantFrom<Json>(
    'switchboard/auto',
    faultModels.healthy,
    `openai/${faultModels.healthyTools}`,
    'switchboard/default',
    'crisis',
    'elevated',
    'sensitive',
    'narrative_generation',
  ),
  fc.constantFrom<Json>(
    [],
    {},
    [{ role: 'user', content: 'Hi' }],
    [{ role: 'tool', tool_call_id: 'nope', content: 'x' }],
    [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }],
    [{ type: 'function', function: { name: 'bad name!' } }],
    { type: 'json_object' },
    { type: 'json_schema', json_schema: {} },
    { include_usage: true },
    { type: 'function', function: { name: 'look' } },
    [{ type: 'image_url', image_url: { url: 'http://x' } }],
  ),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

const lookTool: Json = {
  type: 'function',
  function: {
    name: 'look_around',
    parameters: { type: 'object', properties: { scene: { type: 'string' } } },
  },
};

/** Well-formed values of each top-level field, so that many mutated bodies stay valid and run. */
const plausibleTopLevel: Record<string, fc.Arbitrary<Json>> = {
  model: fc.constantFrom<Json>(
    'switchboard/auto',
    faultModels.healthy,
    `openai/${faultModels.healthyTools}`,
    'switchboard/default',
    'openai/switchboard/general_chat',
  ),
  messages: fc.constantFrom<Json>(
    [{ role: 'user', content: 'Hi' }],
    [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ],
    [
      { role: 'user', content: 'Look.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'look_around', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'Ferns.' },
    ],
  ),
  tools: fc.constantFrom<Json>([lookTool], null),
  tool_choice: fc.constantFrom<Json>('auto', 'none', null),
  response_format: fc.constantFrom<Json>({ type: 'text' }, { type: 'json_object' }, null),
  max_tokens: fc.integer({ min: 1, max: 4_096 }),
  max_completion_tokens: fc.integer({ min: 1, max: 4_096 }),
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  stop: fc.constantFrom<Json>('\n', ['THE END'], null),
  seed: fc.integer(),
  stream: fc.boolean(),
  stream_options: fc.constantFrom<Json>({ include_usage: true }, { include_usage: false }, null),
  n: fc.constantFrom<Json>(1, null),
  logprobs: fc.constantFrom<Json>(false, null),
  logit_bias: fc.constantFrom<Json>({}, null),
  presence_penalty: fc.constantFrom<Json>(0, null),
  functions: fc.constant<Json>(null),
  user: fc.string({ maxLength: 20 }),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  switchboard: fc.constantFrom<Json>(
    { task: 'narrative_generation' },
    { creativity: 0.9, phase: 'closing' },
    { player: 'player-1', session: 'session-1', tenant: 'studio' },
    null,
  ),
  unknown_field: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
};

/** Well-formed values of each `switchboard` field. */
const plausibleSwitchboard: Record<string, fc.Arbitrary<Json>> = {
  task: fc.constantFrom<Json>('narrative_generation', 'dialogue_generation', 'summarization', 'general_chat'),
  taskType: fc.constantFrom<Json>('world_building', 'choice_generation'),
  risk: fc.constantFrom<Json>('none', 'low'),
  creativity: fc.double({ min: 0, max: 1, noNaN: true }),
  intensity: fc.double({ min: 0, max: 1, noNaN: true }),
  phase: fc.constantFrom<Json>('opening', 'deepening', 'closing'),
  privacy: fc.constant<Json>('standard'),
  player: fc.string({ minLength: 1, maxLength: 20 }),
  policy: fc.constantFrom<Json>('default', 'general_chat'),
  failover: fc.boolean(),
  latencyBudgetMs: fc.integer({ min: 5_000, max: 60_000 }),
  costCeilingMicros: fc.integer({ min: 1_000_000, max: 1_000_000_000 }),
  mood: fc.constant<Json>('curious'),
};

/** Well-formed values of message fields. */
const plausibleMessageFields: Record<string, fc.Arbitrary<Json>> = {
  role: fc.constantFrom<Json>('user', 'system', 'developer'),
  content: fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constant<Json>([{ type: 'text', text: 'Hello there.' }]),
  ),
  name: fc.constant<Json>('narrator'),
  tool_calls: fc.constant<Json>(null),
  tool_call_id: fc.constant<Json>('call_unknown'),
};

const topLevelFields = Object.keys(plausibleTopLevel);

/** A value for a field: well-formed more often than not, else anything. */
const valueFor = (plausible: Record<string, fc.Arbitrary<Json>>) =>
  fc
    .constantFrom(...Object.keys(plausible))
    .chain((field) =>
      fc.tuple(
        fc.constant(field),
        fc.oneof({ arbitrary: plausible[field]!, weight: 3 }, { arbitrary: anyValue, weight: 2 }),
      ),
    );

/** One change to a valid body. */
type Mutation = (body: Record<string, Json>) => void;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  valueFor(plausibleTopLevel).map(([field, value]): Mutation => (body) => {
    body[field] = value;
  }),
  fc.constantFrom(...topLevelFields).map((field): Mutation => (body) => {
    delete body[field];
  }),
  valueFor(plausibleSwitchboard).map(([field, value]): Mutation => (body) => {
    const switchboard = body.switchboard;
    if (typeof switchboard === 'object' && switchboard !== null && !Array.isArray(switchboard)) {
      switchboard[field] = value;
    }
  }),
  fc.tuple(fc.nat(3), valueFor(plausibleMessageFields)).map(([index, [field, value]]): Mutation => (body) => {
    const messages = body.messages;
    const message = Array.isArray(messages) ? messages[index] : undefined;
    if (typeof message === 'object' && message !== null && !Array.isArray(message)) message[field] = value;
  }),
);

const mutatedBody = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
  const body = validBody();
  for (const mutate of mutations) mutate(body);
  return body;
});

/** Routing headers: mostly none, sometimes well-formed, sometimes nonsense. */
const headers = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Record<string, string>>({}) },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      fc.constantFrom(
        'x-switchboard-risk',
        'x-switchboard-task',
        'x-switchboard-creativity',
        'x-switchboard-failover',
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('low', 'none', 'summarization', '0.3', 'off') },
        { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      ),
      { maxKeys: 2 },
    ),
  },
);

describe('the gateway fuzzed over HTTP', () => {
  let app: GatewayTestApp;

  beforeAll(async () => {
    app = await startGatewayTestApp(target);
  });
  afterAll(() => app?.close());

  /** Sends one body; checks it was answered, or refused with a 4xx that says what is wrong. */
  async function check(body: string, extraHeaders: Record<string, string> = {}): Promise<void> {
    const response = await fetch(`${app.base}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...app.authorization,
        ...Object.fromEntries(
          Object.entries(extraHeaders).filter(([, value]) => /^[\x20-\x7e]*$/.test(value)),
        ),
      },
      body,
    });
    const text = await response.text();
    expect(response.status, text).toBeLessThan(500);
    if (response.status === 200) {
      if (response.headers.get('content-type')?.startsWith('text/event-stream') === true) {
        expect(text.endsWith('data: [DONE]\n\n'), text).toBe(true);
      } else {
        expect(JSON.parse(text)).toMatchObject({ object: 'chat.completion' });
      }
      return;
    }
    expect(response.status, text).toBeGreaterThanOrEqual(400);
    const error = (
      JSON.parse(text) as { error: { message: string; param?: string | null; issues?: unknown[] } }
    ).error;
    expect(error.message.length, text).toBeGreaterThan(20);
    // A 400 about the request names the field at fault (the gateway's `param`, or the issues of
    // the application-wide filter for bodies that are not JSON objects).
    const aboutAField =
      response.status === 400 && !/no model may serve|content filter|may not serve/i.test(error.message);
    if (aboutAField) expect(error.param ?? error.issues, text).toBeTruthy();
  }

  it('never answers arbitrary JSON with a 5xx, and always names the problem', async () => {
    const before = await fetch(`${app.base}/v1/registry/snapshot`, { headers: app.authorization });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => check(JSON.stringify(value))),
      { numRuns: arbitraryBodyRuns },
    );
    const after = await fetch(`${app.base}/v1/registry/snapshot`, {
      headers: { ...app.authorization, 'if-none-match': before.headers.get('etag')! },
    });
    expect(after.status).toBe(304);
  });

  it('never answers a mutated valid body with a 5xx, and always names the problem', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBody, headers, async (body, extraHeaders) =>
        check(JSON.stringify(body), extraHeaders),
      ),
      { numRuns: mutatedBodyRuns },
    );
  });
});
