import { describe, expect, it } from 'vitest';
import {
  contextFieldSchemas,
  failoverSchema,
  mergeRouting,
  passesQuickCheck,
  policySchema,
  readRoutingHeaders,
  readRoutingObject,
} from './routing-input.ts';

describe('readRoutingObject', () => {
  it('maps the short names to core’s context fields', () => {
    const { routing, issues } = readRoutingObject(
      {
        task: 'narrative_generation',
        risk: 'elevated',
        creativity: 0.8,
        intensity: 0.6,
        phase: 'deepening',
        privacy: 'sensitive',
        latencyBudgetMs: 4_000,
        costCeilingMicros: 20_000,
        player: 'player-7',
        session: 'session-3',
        tenant: 'studio-eu',
        policy: 'narrative_generation',
        failover: false,
      },
      'switchboard',
    );
    expect(issues).toEqual([]);
    expect(routing).toEqual({
      context: {
        taskType: 'narrative_generation',
        riskLevel: 'elevated',
        creativity: 0.8,
        emotionalIntensity: 0.6,
        sessionPhase: 'deepening',
        privacy: 'sensitive',
        latencyBudgetMs: 4_000,
        costCeilingMicros: 20_000,
        playerId: 'player-7',
        sessionId: 'session-3',
        tenantId: 'studio-eu',
      },
      policy: 'narrative_generation',
      failover: false,
    });
  });

  it('takes core’s names too, and the same value under both names', () => {
    const { routing, issues } = readRoutingObject(
      { taskType: 'summarization', task: 'summarization' },
      'context',
    );
    expect(issues).toEqual([]);
    expect(routing.context).toEqual({ taskType: 'summarization' });
  });

  it('names every bad field under its prefix and says what it expects', () => {
    const { issues } = readRoutingObject(
      {
        risk: 'panicking',
        creativity: 2,
        task: 'summarization',
        taskType: 'world_building',
        mood: 'calm',
        failover: 'no',
      },
      'switchboard',
    );
    expect(issues).toEqual([
      { path: 'switchboard.risk', message: 'expected one of none, low, elevated, crisis' },
      { path: 'switchboard.creativity', message: expect.stringMatching(/from 0 to 1/) },
      { path: 'switchboard.taskType', message: expect.stringMatching(/conflicts with switchboard\.task/) },
      {
        path: 'switchboard.mood',
        message: expect.stringMatching(/^unknown field; expected one of task, risk/),
      },
      { path: 'switchboard.failover', message: 'expected true or false' },
    ]);
  });

  it('treats null as nothing said and refuses what is not an object', () => {
    expect(readRoutingObject(null, 'switchboard').issues).toEqual([]);
    expect(readRoutingObject('crisis', 'switchboard').issues[0]).toMatchObject({
      path: 'switchboard',
      message: expect.stringMatching(/expected an object/),
    });
  });
});

describe('readRoutingHeaders', () => {
  it('reads the x-switchboard headers, numbers included', () => {
    const { routing, issues } = readRoutingHeaders({
      'x-switchboard-task': 'dialogue_generation',
      'x-switchboard-risk': 'low',
      'x-switchboard-creativity': '0.25',
      'x-switchboard-privacy': 'standard',
      'x-switchboard-player': 'player-1',
      'x-switchboard-session': 'session-1',
      'x-switchboard-policy': 'default',
      'x-switchboard-failover': 'OFF',
    });
    expect(issues).toEqual([]);
    expect(routing).toEqual({
      context: {
        taskType: 'dialogue_generation',
        riskLevel: 'low',
        creativity: 0.25,
        privacy: 'standard',
        playerId: 'player-1',
        sessionId: 'session-1',
      },
      policy: 'default',
      failover: false,
    });
  });

  it('names the header of a bad value', () => {
    const { issues } = readRoutingHeaders({
      'x-switchboard-creativity': 'very',
      'x-switchboard-failover': 'maybe',
    });
    expect(issues.map((issue) => issue.path)).toEqual(['x-switchboard-creativity', 'x-switchboard-failover']);
  });
});

describe('mergeRouting', () => {
  it('lets the body win and the headers fill in', () => {
    const body = readRoutingObject({ risk: 'crisis' }, 'switchboard').routing;
    const headers = readRoutingHeaders({
      'x-switchboard-risk': 'none',
      'x-switchboard-task': 'summarization',
    }).routing;
    expect(mergeRouting(body, headers).context).toEqual({ riskLevel: 'crisis', taskType: 'summarization' });
  });
});

describe('the quick checks in front of the field schemas', () => {
  const long = (length: number): string => 'x'.repeat(length);
  const values: unknown[] = [
    ...['narrative_generation', 'summarization', 'low', 'crisis', 'none', 'deepening', 'closing'],
    ...['sensitive', 'standard', 'Narrative_Generation', 'panicking', '', ' ', 'player-42'],
    ...[long(100), long(101), long(200), long(201), 0, -0, 1, 0.5, 1.5, -1, 1e-9, 2, 4_000, 4_000.5],
    ...[Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN, Infinity, -Infinity, true, false, null, undefined],
    ...[{}, [], ['low'], { task: 'x' }, '0', '1', new String('low')],
  ];
  const schemas = [...Object.values(contextFieldSchemas), policySchema, failoverSchema];

  it('pass only what the schema accepts, and the schema returns it unchanged', () => {
    for (const schema of schemas) {
      for (const value of values) {
        if (!passesQuickCheck(schema, value)) continue;
        const parsed = schema.safeParse(value);
        expect(parsed.success, `${JSON.stringify(value)}`).toBe(true);
        expect(Object.is(parsed.data, value)).toBe(true);
      }
    }
  });

  it('let the common values through without the schema', () => {
    expect(passesQuickCheck(contextFieldSchemas.taskType, 'dialogue_generation')).toBe(true);
    expect(passesQuickCheck(contextFieldSchemas.riskLevel, 'low')).toBe(true);
    expect(passesQuickCheck(contextFieldSchemas.creativity, 0.7)).toBe(true);
    expect(passesQuickCheck(contextFieldSchemas.latencyBudgetMs, 4_000)).toBe(true);
    expect(passesQuickCheck(policySchema, 'narrative_generation')).toBe(true);
  });

  it('leave every rejected value to the schema, which words the message', () => {
    const { issues } = readRoutingObject(
      {
        task: 'Narrative_Generation',
        creativity: Number.NaN,
        latencyBudgetMs: 0,
        player: '',
        policy: long(101),
      },
      'context',
    );
    expect(issues).toEqual([
      {
        path: 'context.task',
        message: expect.stringMatching(/^expected one of narrative_generation, /) as unknown as string,
      },
      {
        path: 'context.creativity',
        message:
          'expected the creativity (0 fastest adequate answer, 1 most creative) as a number from 0 to 1',
      },
      { path: 'context.latencyBudgetMs', message: 'expected a whole number of milliseconds greater than 0' },
      { path: 'context.player', message: 'expected a non-empty id such as "player-42"' },
      { path: 'context.policy', message: 'expected at most 100 characters' },
    ]);
  });
});
