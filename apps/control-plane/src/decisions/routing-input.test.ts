import { describe, expect, it } from 'vitest';
import { mergeRouting, readRoutingHeaders, readRoutingObject } from './routing-input.ts';

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
