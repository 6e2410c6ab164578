import 'reflect-metadata';
import { Body, Controller, Get, Inject, Param, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ProviderError } from '@switchboard/core';
import { Logger, PinoLogger } from 'nestjs-pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigModule } from '../config/config.module.ts';
import { loadControlPlaneConfig } from '../config/control-plane-config.ts';
import { ApiExceptionFilter } from '../errors/api-exception.filter.ts';
import { createObservabilityLoggerModule } from './logger-params.ts';
import { MetricsService } from './metrics.service.ts';
import { ObservabilityModule } from './observability.module.ts';
import { setupOpenApi } from './openapi.ts';

const providerKey = 'sk-secret-provider-key-4f9a8b7c6d5e';
const apiKey = 'sb_service_c2VjcmV0LWtleS1vZi10aGUtc2VydmljZS0xMjM0NTY3';
const playerText = 'I keep hearing the whispering in the lighthouse and it scares me';

/** Stands in for a feature that (wrongly, or on purpose) logs what it received. */
@Controller('echo')
class EchoController {
  constructor(@Inject(PinoLogger) private readonly logger: PinoLogger) {}

  @Post(':conversationId')
  echo(
    @Param('conversationId') conversationId: string,
    @Body() body: { messages?: unknown },
  ): { received: boolean } {
    this.logger.info({ body }, 'received a body');
    this.logger.info({ request: { conversationId, messages: body.messages } }, 'nested content');
    this.logger.info({ headers: { authorization: `Bearer ${providerKey}` } }, 'raw headers');
    this.logger.error(
      {
        err: new ProviderError({
          kind: 'content_filter',
          message: 'The provider refused the prompt',
          providerMessage: `Refused: "${playerText}"`,
          provider: 'openai',
        }),
      },
      'provider failed',
    );
    return { received: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('internal failure without content');
  }
}

describe('logging, metrics and OpenAPI over real HTTP', () => {
  const lines: string[] = [];
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const config = loadControlPlaneConfig({}, { logLevel: 'info' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        createObservabilityLoggerModule({ write: (line: string) => void lines.push(line) }),
      ],
      controllers: [EchoController],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(Logger));
    setupOpenApi(app);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('never writes keys or a player’s words to the log, while still logging the request', async () => {
    const response = await fetch(`${url}/echo/conversation-7?note=${encodeURIComponent(playerText)}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${providerKey}`,
        'x-api-key': apiKey,
        cookie: `session=${apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'switchboard/auto', messages: [{ role: 'user', content: playerText }] }),
    });
    expect(response.status).toBe(201);
    await new Promise((resolve) => setImmediate(resolve));

    const output = lines.join('');
    expect(output).not.toContain(providerKey);
    expect(output).not.toContain(apiKey);
    expect(output).not.toContain('whispering');
    expect(output).not.toContain('lighthouse');

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = records.find((record) => record.msg === 'request completed');
    expect(completed).toMatchObject({
      req: { method: 'POST', path: '/echo/conversation-7', headers: { 'content-type': 'application/json' } },
      res: { statusCode: 201 },
    });
    expect(records.find((record) => record.msg === 'nested content')).toMatchObject({
      request: { conversationId: 'conversation-7', messages: '[redacted]' },
    });
    expect(records.find((record) => record.msg === 'provider failed')).toMatchObject({
      err: { kind: 'content_filter', provider: 'openai', message: 'The provider refused the prompt' },
    });
  });

  it('logs the failure of our own code at error level without request content', async () => {
    lines.length = 0;
    const response = await fetch(`${url}/echo/boom`, { headers: { authorization: `Bearer ${providerKey}` } });
    expect(response.status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(records.some((record) => record.level >= 50)).toBe(true);
    expect(lines.join('')).not.toContain(providerKey);
  });

  it('exposes every Switchboard metric by name, with route templates rather than raw paths', async () => {
    const metrics = app.get(MetricsService);
    metrics.recordAttempt({
      modelId: 'openai/gpt-4o-mini',
      outcome: 'failed',
      errorKind: 'rate_limited',
      costMicros: null,
    });
    metrics.recordAttempt({
      modelId: 'openai/gpt-4o-mini',
      outcome: 'succeeded',
      errorKind: null,
      costMicros: 1_250,
    });
    metrics.recordCompletion({
      operationName: 'chat',
      providerName: 'openai',
      requestModel: 'switchboard/auto',
      responseModel: 'openai/gpt-4o-mini',
      durationSeconds: 0.84,
      errorType: null,
      inputTokens: 420,
      outputTokens: 96,
    });
    await fetch(`${url}/echo/conversation-8`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain(
      'switchboard_http_requests_total{route="/echo/:conversationId",method="POST",status="201"}',
    );
    expect(text).not.toContain('conversation-8');
    expect(text).toContain(
      'switchboard_attempts_total{model="openai/gpt-4o-mini",outcome="failed",error_kind="rate_limited"} 1',
    );
    expect(text).toContain('switchboard_cost_micros_total{model="openai/gpt-4o-mini"} 1250');
    expect(text).toMatch(
      /switchboard_gen_ai_client_operation_duration_seconds_bucket\{le="1.28",gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="switchboard\/auto",gen_ai_response_model="openai\/gpt-4o-mini",error_type=""\} 1/,
    );
    expect(text).toMatch(/switchboard_gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="input"\} 420/);
    expect(text).toMatch(/switchboard_gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="output"\} 96/);
    expect(text).toContain('# TYPE switchboard_circuit_state gauge');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts requests that matched no route under one label', async () => {
    await fetch(`${url}/no/such/route/12345`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('switchboard_http_requests_total{route="unmatched",method="GET",status="404"}');
    expect(text).not.toContain('12345');
  });

  it('serves the OpenAPI document at /docs with the API-key security schemes', async () => {
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
    const document = (await (await fetch(`${url}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string; name?: string }> };
    };
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes['x-api-key']).toMatchObject({
      type: 'apiKey',
      name: 'x-api-key',
    });
    expect(Object.keys(document.paths)).toContain('/echo/{conversationId}');
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });
});
