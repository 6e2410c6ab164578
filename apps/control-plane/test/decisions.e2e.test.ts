import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '../src/database/__fixtures__/test-databases.ts';
import { FeedbackRepository } from '../src/decisions/feedback.repository.ts';
import { faultModels, startGatewayTestApp, type GatewayTestApp } from './support/gateway-test-app.ts';

interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are inspected field by field
  body: any;
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(!target.available)(`/v1/select and /v1/feedback on ${target.name}`, () => {
    let app: GatewayTestApp;
    const call = async (route: string, body: unknown): Promise<JsonResponse> => {
      const response = await fetch(`${app.base}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.authorization },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? undefined : JSON.parse(text),
      };
    };
    const stored = (decisionId: string) =>
      app.controlPlane.app.get(FeedbackRepository, { strict: false }).listForDecision(decisionId);

    beforeAll(async () => {
      app = await startGatewayTestApp(target);
    });
    afterAll(() => app?.close());

    it('returns a decision without calling a model', async () => {
      const before = app.faultServer.attempts().length;
      const response = await call('/v1/select', {
        context: { task: 'dialogue_generation', risk: 'low', creativity: 0.8, player: 'player-7' },
        messages: [
          { role: 'system', content: 'You voice the innkeeper.' },
          { role: 'user', content: 'Good evening!' },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        policyName: 'dialogue_generation',
        taskType: 'dialogue_generation',
        riskLevel: 'low',
        parameters: {
          temperature: expect.any(Number),
          topP: expect.any(Number),
          maxOutputTokens: expect.any(Number),
        },
        summary: expect.any(String),
      });
      const candidates = response.body.candidates.map((candidate: { modelId: string }) => candidate.modelId);
      expect(candidates.sort()).toEqual([faultModels.healthy, faultModels.healthyTools].sort());
      expect(response.body.rejections.map((rejection: { modelId: string }) => rejection.modelId)).toContain(
        faultModels.unavailable,
      );
      expect(app.faultServer.attempts().length).toBe(before);
    });

    it('takes core’s field names, a prompt size, requirements and a pinned model', async () => {
      const tools = await call('/v1/select', {
        context: { taskType: 'summarization', riskLevel: 'none' },
        estimatedInputTokens: 2_000,
        maxOutputTokens: 300,
        requires: { tools: true },
      });
      expect(tools.status).toBe(200);
      expect(tools.body.candidates.map((candidate: { modelId: string }) => candidate.modelId)).toEqual([
        faultModels.healthyTools,
      ]);
      expect(tools.body.parameters.maxOutputTokens).toBe(300);

      const pinned = await call('/v1/select', { model: faultModels.healthy, estimatedInputTokens: 10 });
      expect(pinned.body.candidates[0].modelId).toBe(faultModels.healthy);
      const policy = await call('/v1/select', {
        model: 'openai/switchboard/summarization',
        estimatedInputTokens: 10,
      });
      expect(policy.body.policyName).toBe('summarization');
    });

    it('says why nothing qualifies rather than relaxing a safety rule', async () => {
      const response = await call('/v1/select', { context: { risk: 'crisis' }, estimatedInputTokens: 100 });
      expect(response.status).toBe(200);
      expect(response.body.candidates).toEqual([]);
      expect(response.body.noEligibleModel.reason).toMatch(/safety tier/);
    });

    it('answers 400 naming each bad field and 404 for an unknown model', async () => {
      const invalid = await call('/v1/select', {
        context: { risk: 'panicking', task: 'narrative_generation', taskType: 'summarization' },
        estimatedInputTokens: -5,
        requires: { vision: true },
        colour: 'blue',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe('invalid_request');
      expect(invalid.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(
        ['colour', 'context.risk', 'context.taskType', 'estimatedInputTokens', 'requires.vision'].sort(),
      );
      expect(invalid.body.error.message).toMatch(
        /context\.risk: expected one of none, low, elevated, crisis/,
      );
      expect(invalid.body.error.message).toMatch(
        /requires\.vision: unknown field; expected one of tools, json, streaming/,
      );

      const both = await call('/v1/select', {
        messages: [{ role: 'user', content: 'Hi' }],
        estimatedInputTokens: 3,
      });
      expect(both.status).toBe(400);
      expect(both.body.error.message).toMatch(/either messages or estimatedInputTokens/);

      const unknown = await call('/v1/select', { model: 'gpt-17-ultra', estimatedInputTokens: 3 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/gpt-17-ultra/);
    });

    it('stores feedback on a selected decision, attributed to its top model', async () => {
      const decision = await call('/v1/select', {
        context: { task: 'summarization' },
        estimatedInputTokens: 50,
      });
      const topModel = decision.body.candidates[0].modelId as string;
      const accepted = await call('/v1/feedback', {
        decisionId: decision.body.decisionId,
        score: 0.75,
        signal: 'player-rating',
      });
      expect(accepted.status).toBe(202);
      expect(accepted.body).toEqual({
        accepted: true,
        decisionId: decision.body.decisionId,
        modelId: topModel,
        taskType: 'summarization',
      });
      const rows = await stored(decision.body.decisionId);
      expect(rows).toEqual([
        expect.objectContaining({
          modelId: topModel,
          taskType: 'summarization',
          score: 0.75,
          signal: 'player-rating',
          source: 'select',
          apiKeyId: app.apiKey === undefined ? null : expect.any(String),
        }),
      ]);
    });

    it('stores feedback on a gateway answer, attributed to the model that answered', async () => {
      const response = await fetch(`${app.base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...app.authorization },
        body: JSON.stringify({ model: faultModels.healthy, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(response.status).toBe(200);
      const decisionId = response.headers.get('x-switchboard-decision-id')!;
      const accepted = await call('/v1/feedback', { decisionId, score: 1 });
      expect(accepted.status).toBe(202);
      expect(accepted.body.modelId).toBe(faultModels.healthy);
      expect(await stored(decisionId)).toEqual([
        expect.objectContaining({ modelId: faultModels.healthy, score: 1, signal: null, source: 'gateway' }),
      ]);
    });

    it('answers 404 for a decision it does not keep, and 400 for a bad score, storing nothing', async () => {
      const unknown = await call('/v1/feedback', { decisionId: 'made-up', score: 0.5 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/kept for 30 minutes/);
      expect(await stored('made-up')).toEqual([]);

      const decision = await call('/v1/select', { estimatedInputTokens: 10 });
      const invalid = await call('/v1/feedback', {
        decisionId: decision.body.decisionId,
        score: 7,
        comment: 'great',
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
        '(root)',
        'score',
      ]);
      expect(await stored(decision.body.decisionId)).toEqual([]);
    });
  });
}
