import 'reflect-metadata';
import {
  deserializeOptimizerState,
  observedStats,
  type ModelSpecInput,
  type TaskType,
} from '@switchboard/core';
import { createAdapterFromProviderSpec } from '@switchboard/provider-openai';
import {
  createControlPlaneRegistrySource,
  createMemoryTelemetrySink,
  createModelClient,
  type ModelClientRequest,
} from '@switchboard/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlPlaneApp, type ControlPlaneApp } from '../src/app.ts';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { TrafficOutcomeBus } from '../src/traffic/traffic-outcome-bus.ts';
import {
  adminCall,
  faultModel,
  startGatewayTestApp,
  testAdminKey,
  type GatewayTestApp,
} from './support/gateway-test-app.ts';

interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are inspected field by field
  body: any;
}

/** A fault-server model for these tests: tier 3 unless said otherwise, fast priors. */
function learningModel(
  id: string,
  behaviour: string,
  quality: number,
  safetyTier: ModelSpecInput['safetyTier'] = 3,
): ModelSpecInput {
  return faultModel(behaviour, {
    id,
    displayName: `Learning test: ${behaviour}`,
    price: { inputPerMillionMicros: 1_000_000, outputPerMillionMicros: 1_000_000, version: 'optimizer-e2e' },
    safetyTier,
    qualityPriors: { default: quality },
  });
}

/** Answers every request, rated a little below the favourite by the registry. */
const steady = 'fault/learn-steady';
/** The registry's favourite for the feedback tests; healthy, so only feedback can demote it. */
const favourite = 'fault/learn-favourite';
/** The registry's favourite for the failure tests; refuses every prompt (content filter, tier 2). */
const refuser = 'fault/learn-refuser';

/** Quality first, a small exploration budget, only the models under test. */
function learningPolicy(name: string, models: string[]) {
  return {
    name,
    description: `Optimiser e2e: ${models.join(' vs ')}.`,
    weights: { quality: 3, latency: 1, cost: 0 },
    explorationRate: 0.1,
    allowModels: models,
  };
}

function firstShare(firsts: readonly string[], modelId: string): number {
  return firsts.filter((first) => first === modelId).length / firsts.length;
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`the fleet optimiser on ${target.name}`, () => {
    let app: GatewayTestApp;
    let restarted: ControlPlaneApp | undefined;
    let base: string;

    const call = async (
      method: string,
      route: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const init: RequestInit = {
        method,
        headers: { 'content-type': 'application/json', ...app.authorization, ...headers },
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await fetch(`${base}${route}`, init);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : JSON.parse(text),
      } as JsonResponse;
    };
    const select = async (policy: string, taskType: TaskType, riskLevel: string): Promise<JsonResponse> => {
      const response = await call('POST', '/v1/select', {
        model: `switchboard/${policy}`,
        context: { taskType, riskLevel },
        messages: [{ role: 'user', content: 'The lantern flickers. What do I see?' }],
        maxOutputTokens: 50,
      });
      expect(response.status).toBe(200);
      return response;
    };
    const firsts = async (policy: string, taskType: TaskType, riskLevel: string, count: number) => {
      const picks: string[] = [];
      for (let index = 0; index < count; index += 1) {
        picks.push((await select(policy, taskType, riskLevel)).body.candidates[0].modelId as string);
      }
      return picks;
    };
    const fleetState = async () => {
      const response = await call('GET', '/v1/optimizer/state');
      expect(response.status).toBe(200);
      return { state: deserializeOptimizerState(response.body), etag: response.headers.get('etag') };
    };

    beforeAll(async () => {
      app = await startGatewayTestApp(target);
      base = app.base;
      for (const model of [
        learningModel(steady, 'healthy', 0.8),
        learningModel(favourite, 'healthy', 0.9),
        learningModel(refuser, 'content-policy', 0.9, 2),
      ]) {
        expect((await adminCall(base, 'POST', '/admin/models', model)).status).toBe(201);
      }
      for (const policy of [
        learningPolicy('learn-feedback', [steady, favourite]),
        learningPolicy('learn-failures', [steady, refuser]),
        { ...learningPolicy('learn-explore', [steady, favourite]), explorationRate: 1 },
      ]) {
        expect((await adminCall(base, 'POST', '/admin/policies', policy)).status).toBe(201);
      }
    });
    afterAll(async () => {
      await restarted?.close();
      await app?.close();
    });

    it('publishes an empty state with an ETag, and answers 304 while nothing was learned', async () => {
      const first = await call('GET', '/v1/optimizer/state');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ version: 1, cells: [] });
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]+"$/);
      const again = await call('GET', '/v1/optimizer/state', undefined, { 'if-none-match': etag });
      expect(again.status).toBe(304);

      const anonymous = await fetch(`${base}/v1/optimizer/state`);
      if (app.apiKey !== undefined) expect(anonymous.status).toBe(401);
    });

    it('learns from poor feedback and regenerations: low-risk selection then prefers the other model', async () => {
      const before = await firsts('learn-feedback', 'dialogue_generation', 'low', 10);
      expect(firstShare(before, favourite)).toBeGreaterThan(0.5);

      for (let round = 0; round < 12; round += 1) {
        const decision = (await select('learn-feedback', 'dialogue_generation', 'low')).body;
        const first = decision.candidates[0].modelId as string;
        const feedback =
          first === favourite
            ? round % 2 === 0
              ? { decisionId: decision.decisionId, score: 0.1 }
              : { decisionId: decision.decisionId, signal: 'regenerated' }
            : { decisionId: decision.decisionId, score: 0.9 };
        const accepted = await call('POST', '/v1/feedback', feedback);
        expect(accepted.status).toBe(202);
        expect(accepted.body).toMatchObject({ accepted: true, modelId: first });
      }

      const after = await firsts('learn-feedback', 'dialogue_generation', 'low', 30);
      const { state } = await fleetState();
      const now = Date.now();
      const learned = observedStats(state, favourite, 'dialogue_generation', now)!;
      // What was learned of both, so that a failure shows whether the feedback arrived or selection ignored it.
      const evidence = JSON.stringify({
        favourite: learned,
        steady: observedStats(state, steady, 'dialogue_generation', now),
        after,
      });
      expect(firstShare(after, steady), evidence).toBeGreaterThan(0.7);
      expect(learned.qualityFailures).toBeGreaterThan(learned.qualitySuccesses);
    });

    it('never explores at crisis risk, where it ranks by what it learned, even under a policy that always explores', async () => {
      // Crisis admits tier 3 only: steady and favourite; favourite got poor feedback above.
      for (let index = 0; index < 15; index += 1) {
        const decision = (await select('learn-feedback', 'dialogue_generation', 'crisis')).body;
        expect(decision.explored).toBe(false);
        expect(decision.candidates[0].modelId).toBe(steady);
      }
      // A task nothing was learned about, under a policy whose exploration budget is every request.
      const explored = async (riskLevel: string) => {
        const flags: boolean[] = [];
        for (let index = 0; index < 20; index += 1) {
          const decision = (await select('learn-explore', 'world_building', riskLevel)).body;
          flags.push(
            decision.explored === true ||
              decision.candidates.some((candidate: { exploratory: boolean }) => candidate.exploratory),
          );
        }
        return flags;
      };
      expect((await explored('low')).some(Boolean)).toBe(true);
      expect((await explored('crisis')).some(Boolean)).toBe(false);
      expect((await explored('elevated')).some(Boolean)).toBe(false);
    });

    it('refuses feedback it cannot learn from, naming the field, and learns nothing from it', async () => {
      const decision = (await select('learn-feedback', 'dialogue_generation', 'low')).body;
      const { etag } = await fleetState();
      const badSignal = await call('POST', '/v1/feedback', {
        decisionId: decision.decisionId,
        signal: 'shrugged',
      });
      expect(badSignal.status).toBe(400);
      expect(JSON.stringify(badSignal.body)).toMatch(/signal/);
      expect(JSON.stringify(badSignal.body)).toMatch(/continued, regenerated, abandoned/);
      const nothing = await call('POST', '/v1/feedback', { decisionId: decision.decisionId });
      expect(nothing.status).toBe(400);
      expect(JSON.stringify(nothing.body)).toMatch(/score/);
      const unchanged = await call('GET', '/v1/optimizer/state', undefined, { 'if-none-match': etag! });
      expect(unchanged.status).toBe(304);
    });

    it('learns from SDK traffic on the bus: a model that starts refusing loses low-risk traffic, and SDKs see the fleet state', async () => {
      const before = await firsts('learn-failures', 'general_chat', 'low', 10);
      expect(firstShare(before, refuser)).toBeGreaterThan(0.5);

      // A game service in direct mode, calling the fault server itself; its telemetry reaches the bus.
      const telemetry = createMemoryTelemetrySink();
      const source = await createControlPlaneRegistrySource({
        baseUrl: base,
        apiKey: app.apiKey,
        events: false,
      });
      const client = await createModelClient({
        registry: source,
        providers: {
          'openai-compatible': (provider, model) => createAdapterFromProviderSpec(provider, model),
        },
        telemetry,
        learning: false,
        decisionCache: false,
        onWarning: () => undefined,
      });
      const request: ModelClientRequest = {
        messages: [{ role: 'user', content: 'Describe the harbour at dusk.' }],
        context: { taskType: 'general_chat', riskLevel: 'low' },
        policyName: 'learn-failures',
        maxOutputTokens: 30,
      };
      for (let index = 0; index < 12; index += 1) await client.chat(request);
      await client.close();
      const events = telemetry.events();
      const refusals = events.flatMap((event) =>
        event.attempts.filter(
          (attempt) => attempt.modelId === refuser && attempt.errorKind === 'content_filter',
        ),
      );
      expect(refusals.length).toBeGreaterThan(6);
      const bus = app.controlPlane.app.get(TrafficOutcomeBus, { strict: false });
      for (const event of events) bus.publish({ source: 'sdk', event });

      const after = await firsts('learn-failures', 'general_chat', 'low', 30);
      expect(firstShare(after, steady)).toBeGreaterThan(0.7);
      const explained = (await select('learn-failures', 'general_chat', 'low')).body.candidates.find(
        (candidate: { modelId: string }) => candidate.modelId === refuser,
      );
      expect(explained.reason).toMatch(/error rate \d+(\.\d+)?\s?% lowers its score/);

      // A new SDK client starts from the fleet's state and avoids the refuser from its first request.
      const fleetSource = await createControlPlaneRegistrySource({
        baseUrl: base,
        apiKey: app.apiKey,
        events: false,
      });
      const learnedErrors = observedStats(
        fleetSource.optimizerState()!,
        refuser,
        'general_chat',
        Date.now(),
      )!;
      expect(learnedErrors.errors).toBeGreaterThan(6);
      const newcomer = await createModelClient({
        registry: fleetSource,
        providers: {
          'openai-compatible': (provider, model) => createAdapterFromProviderSpec(provider, model),
        },
        decisionCache: false,
      });
      // At elevated risk (which admits the tier-2 refuser) nothing is explored, so only what the fleet
      // learned keeps the newcomer off the refuser, which its priors rate above steady.
      const firstAnswer = await newcomer.chat({
        ...request,
        context: { taskType: 'general_chat', riskLevel: 'elevated' },
      });
      expect(firstAnswer.answeredBy).toBe(steady);
      expect(firstAnswer.result.attempts.map((attempt) => attempt.modelId)).not.toContain(refuser);
      // At low risk the policy's 10 % exploration budget may still try the refuser now and then (that
      // is how a recovery is noticed), but the player is answered by steady either way.
      expect((await newcomer.chat(request)).answeredBy).toBe(steady);
      await newcomer.close();
    });

    it('learns from the gateway’s own requests, which the ledger publishes on the bus', async () => {
      const attemptsOfSteady = async () =>
        observedStats((await fleetState()).state, steady, 'summarization', Date.now())?.attempts ?? 0;
      const before = await attemptsOfSteady();
      for (let index = 0; index < 3; index += 1) {
        const response = await call('POST', '/v1/chat/completions', {
          model: steady,
          messages: [{ role: 'user', content: 'Sum up the chapter.' }],
          max_tokens: 30,
          switchboard: { task: 'summarization', risk: 'low' },
        });
        expect(response.status).toBe(200);
      }
      // The ledger records and publishes after answering: wait for it (the test's timeout bounds this).
      // Evidence fades (5-minute half-life), so three fresh attempts read as a little under three.
      while ((await attemptsOfSteady()) < before + 2.9)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await attemptsOfSteady()).toBeLessThan(before + 3.01);
    });

    it('keeps what it learned across a restart', async () => {
      const { state: before } = await fleetState();
      const failuresBefore = observedStats(
        before,
        favourite,
        'dialogue_generation',
        Date.now(),
      )!.qualityFailures;
      const errorsBefore = observedStats(before, refuser, 'general_chat', Date.now())!.errors;

      const { dataDir, databaseUrl, databaseSchema } = app.controlPlane.config;
      await app.controlPlane.close();
      restarted = await createControlPlaneApp({
        config: { dataDir, databaseUrl, databaseSchema, port: 0, logLevel: 'silent' },
        env: { SWITCHBOARD_ADMIN_KEY: testAdminKey },
      });
      base = (await restarted.listen()).base;

      const { state: after } = await fleetState();
      const now = Date.now();
      expect(observedStats(after, favourite, 'dialogue_generation', now)!.qualityFailures).toBeCloseTo(
        failuresBefore,
        1,
      );
      expect(observedStats(after, refuser, 'general_chat', now)!.errors).toBeCloseTo(errorsBefore, 0);
      const picks = await firsts('learn-failures', 'general_chat', 'low', 20);
      expect(firstShare(picks, steady)).toBeGreaterThan(0.7);
    });
  });
}
