import {
  allHealthy,
  defaultRegistrySnapshot,
  select,
  statsFromPriors,
  type RegistrySnapshot,
  type SelectionRequest,
  type TherapeuticContext,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import type { CurrentSnapshotService } from '../decisions/current-snapshot.service.ts';
import { DecisionStore } from '../decisions/decision-store.ts';
import type { SelectionService } from '../decisions/selection.service.ts';
import { ApiError } from '../errors/api-error.ts';
import { readSelectBody, readSelectBodyWithSchema, SelectService } from './select.service.ts';

const long = (length: number): string => 'm'.repeat(length);

/** Bodies the schema accepts. */
const acceptedBodies: Record<string, unknown>[] = [
  {},
  { estimatedInputTokens: 800 },
  { estimatedInputTokens: 0, maxOutputTokens: 1 },
  { estimatedInputTokens: Number.MAX_SAFE_INTEGER, maxOutputTokens: 10_000_000 },
  { context: { task: 'dialogue_generation' }, messages: [{ role: 'user', content: 'hi' }] },
  { context: 'anything: read by its own parser', messages: 42 },
  { model: 'm', requires: {} },
  { model: long(300), requires: { tools: true, json: false, streaming: true } },
  { requires: { tools: undefined }, model: undefined, estimatedInputTokens: -0 },
];

/** Bodies the schema refuses, each for a reason the quick check must leave to it. */
const refusedBodies: Record<string, unknown>[] = [
  { unknown: true },
  { estimatedInputTokens: 10, unknown: true, other: 1 },
  { estimatedInputTokens: -1 },
  { estimatedInputTokens: 1.5 },
  { estimatedInputTokens: 2 ** 53 },
  { estimatedInputTokens: '800' },
  { estimatedInputTokens: null },
  { maxOutputTokens: 0 },
  { maxOutputTokens: 10_000_001 },
  { maxOutputTokens: 12.5 },
  { maxOutputTokens: true },
  { model: '' },
  { model: long(301) },
  { model: 7 },
  { model: null },
  { requires: null },
  { requires: [] },
  { requires: true },
  { requires: { tools: 'yes' } },
  { requires: { tools: null } },
  { requires: { vision: true } },
  { requires: { tools: true, vision: true, audio: false } },
  JSON.parse('{"__proto__": {"estimatedInputTokens": 1}}') as Record<string, unknown>,
  { model: '', maxOutputTokens: 0, requires: { json: 1 }, extra: [] },
];

describe('readSelectBody', () => {
  it('accepts what the schema accepts, with the same fields', () => {
    for (const body of acceptedBodies) {
      const reference = readSelectBodyWithSchema(body);
      expect(reference.issues, JSON.stringify(body)).toEqual([]);
      const read = readSelectBody(body);
      expect(read.issues).toEqual([]);
      expect(read.request).toEqual(reference.request);
    }
  });

  it('refuses what the schema refuses, with the very same issues', () => {
    for (const body of refusedBodies) {
      const reference = readSelectBodyWithSchema(body);
      expect(reference.request, JSON.stringify(body)).toBeUndefined();
      expect(reference.issues.length).toBeGreaterThan(0);
      expect(readSelectBody(body)).toEqual(reference);
    }
  });
});

describe('SelectService', () => {
  const snapshot = defaultRegistrySnapshot();
  const clock = { now: () => 1_000 };
  const snapshots = {
    currentIfHeld: () => snapshot,
    current: () => Promise.resolve(snapshot),
  } as unknown as CurrentSnapshotService;
  const selection = {
    select: (held: RegistrySnapshot, context: TherapeuticContext, request: SelectionRequest) =>
      select({ context, request, snapshot: held, health: allHealthy, stats: statsFromPriors(held), seed: 7 }),
  } as unknown as SelectionService;
  const sut = () => new SelectService(snapshots, selection, new DecisionStore(clock));

  const refusal = async (body: unknown): Promise<ApiError> => {
    const error: unknown = await sut()
      .select(body)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  };

  it('answers 400 naming each bad field, worded by the schema', async () => {
    const error = await refusal({ estimatedInputTokens: 1.5, requires: { vision: true }, colour: 'red' });
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'The request is invalid: estimatedInputTokens: expected a whole number of prompt tokens (0 or more); ' +
        'requires.vision: unknown field; expected one of tools, json, streaming; ' +
        'colour: unknown field; expected one of context, messages, estimatedInputTokens, maxOutputTokens, requires, model',
    );
  });

  it('answers the decision under a new id, the id first', async () => {
    const body = { context: { task: 'dialogue_generation', risk: 'low' }, estimatedInputTokens: 800 };
    const answer = await sut().select(body);
    expect(Object.keys(answer)[0]).toBe('decisionId');
    expect(answer.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.taskType).toBe('dialogue_generation');
    expect(answer.candidates.length).toBeGreaterThan(0);
  });

  it('remembers the decision it answers, for feedback', async () => {
    const decisions = new DecisionStore(clock);
    const service = new SelectService(snapshots, selection, decisions);
    const { decisionId, candidates } = await service.select({ estimatedInputTokens: 10 });
    expect(decisions.find(decisionId)?.modelId).toBe(candidates[0]?.modelId);
    expect(decisions.find(decisionId)?.source).toBe('select');
  });
});
