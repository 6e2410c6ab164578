import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { faultBehaviourCatalogue, parseFaultModel } from '../fault-behaviour.ts';
import {
  buildFaultAnswer,
  decideFault,
  describeDecision,
  FaultScopes,
  type FaultRequestFacts,
} from '../fault-decision.ts';
import { faultErrorResponse, type FaultRoute } from '../fault-error-responses.ts';
import { estimateTokensFromCharacters } from '../token-chunks.ts';
import type { FaultAnswerContext } from './fault-answer-context.ts';
import { writeAnthropicAnswer } from './fault-anthropic-wire.ts';
import { FaultExchange } from './fault-exchange.ts';
import { writeOpenAiAnswer } from './fault-openai-wire.ts';
import { readAnthropicRequest, readOpenAiRequest, type FaultWireRequest } from './fault-request.ts';

/** One chat request the server received: what a test asserts retries, failover and hedging with. */
export interface FaultAttempt {
  /** The model name as sent, `#scope` included. */
  model: string;
  route: FaultRoute;
  /** When the request arrived, epoch ms. */
  arrivedAt: number;
  /**
   * What the server did: `ok`, `http-<status>`, `reset`, `hang`, `cut`, `drop`, `stall`,
   * `malformed`, `no-done`.
   */
  outcome: string;
  stream: boolean;
  lastMessageRole: string | undefined;
  /** Messages in the body (Anthropic's top-level system prompt is not one). */
  messageCount: number;
  /** The request asked for JSON output. */
  jsonMode: boolean;
  /** Tools offered in the request. */
  toolCount: number;
}

/** A running fault server. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `${url}/v1`: the base URL an OpenAI client takes (`/chat/completions`, `/models`). */
  readonly openaiBaseUrl: string;
  /** `${url}/anthropic`: the base URL the Anthropic SDK takes (it appends `/v1/messages`). */
  readonly anthropicBaseUrl: string;
  /** Every chat request received, in arrival order. */
  attempts(): FaultAttempt[];
  /** Forgets attempts and per-scope state. */
  reset(): void;
  /** Stops the server and destroys every socket, hanging ones included, so tests never leak. */
  close(): Promise<void>;
}

/** How to start a fault server. */
export interface FaultServerOptions {
  /** Default 0: any free port. */
  port?: number | undefined;
  /** Default `127.0.0.1`. */
  host?: string | undefined;
  /** Pause between streamed chunks, ms. Default 2. */
  tokenDelayMs?: number | undefined;
}

const maxBodyBytes = 8 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error(`The request body is larger than ${maxBodyBytes} bytes.`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts the fault server: an OpenAI-compatible and Anthropic-compatible HTTP endpoint whose model
 * names pick a failure (see {@link faultBehaviourCatalogue}), so every layer can be tested against
 * real sockets. Plain `node:http`; streams use chunked encoding.
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const host = options.host ?? '127.0.0.1';
  const tokenDelayMs = options.tokenDelayMs ?? 2;
  const attempts: FaultAttempt[] = [];
  const scopes = new FaultScopes();
  const sockets = new Set<Socket>();
  const exchanges = new Set<FaultExchange>();
  let sequence = 0;
  let baseUrl = '';

  const recordAttempt = (
    route: FaultRoute,
    arrivedAt: number,
    wire: FaultWireRequest | undefined,
    outcome: string,
  ) => {
    attempts.push({
      model: wire?.model ?? '',
      route,
      arrivedAt,
      outcome,
      stream: wire?.stream ?? false,
      lastMessageRole: wire?.lastMessageRole,
      messageCount: wire?.messageCount ?? 0,
      jsonMode: wire?.jsonMode ?? false,
      toolCount: wire?.toolNames.length ?? 0,
    });
  };

  const handleChat = async (route: FaultRoute, exchange: FaultExchange, arrivedAt: number): Promise<void> => {
    const body = parseJson(await readBody(exchange.request));
    const wire = route === 'openai' ? readOpenAiRequest(body) : readAnthropicRequest(body);
    sequence += 1;
    const idHeaders =
      route === 'openai'
        ? { 'x-request-id': `req_fault_${sequence}` }
        : { 'request-id': `req_fault_${sequence}` };
    const sendError = (response: ReturnType<typeof faultErrorResponse>): void =>
      exchange.sendJson(response.status, response.body, { ...idHeaders, ...response.headers });

    if (typeof wire === 'string') {
      const response = faultErrorResponse({ name: 'bad-request', detail: wire }, route, '');
      recordAttempt(route, arrivedAt, undefined, `http-${response.status}`);
      sendError(response);
      return;
    }
    const parsed = parseFaultModel(wire.model);
    if (parsed.behaviour === undefined) {
      const response = faultErrorResponse({ name: 'unknown-model' }, route, wire.model);
      recordAttempt(route, arrivedAt, wire, `http-${response.status}`);
      sendError(response);
      return;
    }
    const facts: FaultRequestFacts = {
      lastMessageRole: wire.lastMessageRole,
      prefillText: wire.prefillText,
      firstToolName: wire.toolChoiceNone ? undefined : wire.toolNames[0],
      maxTokens: wire.maxTokens,
    };
    const decision = decideFault(parsed.behaviour, scopes.enter(parsed.name, arrivedAt), arrivedAt, facts);
    if (decision.type === 'error') {
      const response = faultErrorResponse(decision.error, route, wire.model);
      recordAttempt(route, arrivedAt, wire, describeDecision(decision, response.status));
      sendError(response);
      return;
    }
    recordAttempt(route, arrivedAt, wire, describeDecision(decision, undefined));
    if (decision.type === 'reset') {
      exchange.reset();
      return;
    }
    if (decision.type === 'hang') {
      await exchange.hang();
      return;
    }
    for (const [name, value] of Object.entries(idHeaders)) exchange.response.setHeader(name, value);
    const context: FaultAnswerContext = {
      exchange,
      request: wire,
      decision,
      answer: buildFaultAnswer(decision.content, facts),
      sequence,
      promptTokens: estimateTokensFromCharacters(wire.promptCharacters),
      tokenDelayMs,
    };
    if (route === 'openai') await writeOpenAiAnswer(context);
    else await writeAnthropicAnswer(context);
  };

  const handleModels = (exchange: FaultExchange): void => {
    exchange.sendJson(200, {
      object: 'list',
      data: faultBehaviourCatalogue.map((behaviour) => ({
        id: behaviour.name,
        object: 'model',
        created: 0,
        owned_by: 'switchboard-fault-server',
        description: behaviour.description,
      })),
    });
  };

  const route = async (exchange: FaultExchange, arrivedAt: number): Promise<void> => {
    const { method, url } = exchange.request;
    const path = new URL(url ?? '/', 'http://fault.invalid').pathname;
    if (method === 'POST' && path === '/v1/chat/completions')
      return handleChat('openai', exchange, arrivedAt);
    if (method === 'POST' && path === '/anthropic/v1/messages')
      return handleChat('anthropic', exchange, arrivedAt);
    if (method === 'GET' && path === '/v1/models') return handleModels(exchange);
    if (method === 'GET' && path === '/') {
      return exchange.sendJson(200, {
        openaiBaseUrl: `${baseUrl}/v1`,
        anthropicBaseUrl: `${baseUrl}/anthropic`,
        behaviours: faultBehaviourCatalogue,
      });
    }
    exchange.sendJson(404, {
      error: {
        message: `No route ${method ?? ''} ${path}. Use POST /v1/chat/completions or POST /anthropic/v1/messages.`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    });
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const arrivedAt = Date.now();
    const exchange = new FaultExchange(request, response);
    exchanges.add(exchange);
    response.on('close', () => exchanges.delete(exchange));
    route(exchange, arrivedAt).catch((error: unknown) => {
      if (!exchange.open || response.headersSent) {
        exchange.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      exchange.sendJson(500, {
        error: { message: `Fault server failure: ${message}`, type: 'server_error' },
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    openaiBaseUrl: `${baseUrl}/v1`,
    anthropicBaseUrl: `${baseUrl}/anthropic`,
    attempts: () => [...attempts].sort((left, right) => left.arrivedAt - right.arrivedAt),
    reset: () => {
      attempts.length = 0;
      scopes.clear();
    },
    close: async () => {
      for (const exchange of exchanges) exchange.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
