import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an Ollama host, for tests only: it speaks Ollama's real wire format for the
 * management endpoints (`/api/tags`, `/api/ps`, `/api/pull`, `/api/generate` load/unload,
 * `/api/show`) on 127.0.0.1 and a random port, and keeps what is installed and loaded in memory.
 */

/** A model the fake host knows, installed or pullable. */
export interface FakeOllamaModel {
  /** With or without a tag; a missing tag means `:latest`, as in Ollama. */
  name: string;
  architecture: string;
  family: string;
  parameterSize: string;
  quantizationLevel: string;
  sizeBytes: number;
  /** `<architecture>.context_length` in `/api/show`. */
  contextLength: number;
  /** A `num_ctx` line in `/api/show`'s parameters, when set. */
  numCtx?: number | undefined;
  /** `capabilities` in `/api/show`, e.g. `['completion', 'tools']`. */
  capabilities?: string[] | undefined;
}

/** What the fake host starts with and how it behaves. */
export interface FakeOllamaOptions {
  installed?: FakeOllamaModel[] | undefined;
  /** Names of installed models already in memory. */
  loaded?: string[] | undefined;
  /** Models `/api/pull` can download; pulling anything else fails as Ollama does. */
  pullable?: FakeOllamaModel[] | undefined;
  /** Pause between pull progress lines, so tests can abort mid-pull. */
  pullLineDelayMs?: number | undefined;
}

/** A running fake host. */
export interface FakeOllamaServer {
  /** `http://127.0.0.1:<port>` (the root; the OpenAI-compatible API would be under `/v1`). */
  url: string;
  /** Names of installed models now, tags included. */
  installedNames(): string[];
  /** Names of loaded models now. */
  loadedNames(): string[];
  /** Every request as `METHOD /path`. */
  requests: string[];
  /** Resolves when a pull response closed before finishing (the client went away). */
  pullAbandoned(): Promise<void>;
  close(): Promise<void>;
}

const withTag = (name: string): string => (name.includes(':') ? name : `${name}:latest`);
const digestOf = (name: string): string =>
  Array.from(
    { length: 64 },
    (_, index) => '0123456789abcdef'[(name.charCodeAt(index % name.length) + index) % 16],
  ).join('');
const modifiedAt = '2024-12-07T09:32:18.757212583-08:00';

function details(model: FakeOllamaModel) {
  return {
    parent_model: '',
    format: 'gguf',
    family: model.family,
    families: [model.family],
    parameter_size: model.parameterSize,
    quantization_level: model.quantizationLevel,
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  if (text === '') return {};
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Starts the fake host. */
export async function startFakeOllamaServer(options: FakeOllamaOptions = {}): Promise<FakeOllamaServer> {
  const installed = new Map((options.installed ?? []).map((model) => [withTag(model.name), model]));
  const pullable = new Map((options.pullable ?? []).map((model) => [withTag(model.name), model]));
  const loaded = new Set((options.loaded ?? []).map(withTag));
  const requests: string[] = [];
  let abandon: () => void = () => undefined;
  const abandoned = new Promise<void>((resolve) => {
    abandon = resolve;
  });

  const notFound = (response: ServerResponse, name: string) =>
    sendJson(response, 404, { error: `model '${name}' not found` });

  const pull = async (response: ServerResponse, name: string): Promise<void> => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let finished = false;
    response.on('close', () => {
      if (!finished) abandon();
    });
    const line = async (value: unknown) => {
      if (response.destroyed) return;
      response.write(`${JSON.stringify(value)}\n`);
      if (options.pullLineDelayMs !== undefined) await pause(options.pullLineDelayMs);
    };
    await line({ status: 'pulling manifest' });
    const model = pullable.get(name);
    if (model === undefined) {
      await line({ error: 'pull model manifest: file does not exist' });
      finished = true;
      response.end();
      return;
    }
    const digest = `sha256:${digestOf(name)}`;
    const total = model.sizeBytes;
    await line({ status: `pulling ${digest.slice(7, 19)}`, digest, total });
    for (const share of [1, 2, 3, 4]) {
      await line({
        status: `pulling ${digest.slice(7, 19)}`,
        digest,
        total,
        completed: Math.round((total * share) / 4),
      });
    }
    if (response.destroyed) return;
    await line({ status: 'verifying sha256 digest' });
    await line({ status: 'writing manifest' });
    await line({ status: 'success' });
    installed.set(name, model);
    finished = true;
    response.end();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push(`${request.method ?? 'GET'} ${path}`);
    const body = request.method === 'POST' ? await readBody(request) : {};
    const name = typeof body.model === 'string' ? withTag(body.model) : '';
    if (request.method === 'GET' && path === '/api/tags') {
      sendJson(response, 200, {
        models: [...installed].map(([tagged, model]) => ({
          name: tagged,
          model: tagged,
          modified_at: modifiedAt,
          size: model.sizeBytes,
          digest: digestOf(tagged),
          details: details(model),
        })),
      });
    } else if (request.method === 'GET' && path === '/api/ps') {
      sendJson(response, 200, {
        models: [...loaded].flatMap((tagged) => {
          const model = installed.get(tagged);
          if (model === undefined) return [];
          return [
            {
              name: tagged,
              model: tagged,
              size: model.sizeBytes,
              digest: digestOf(tagged),
              details: details(model),
              expires_at: '2024-06-04T14:38:31.83753-07:00',
              size_vram: model.sizeBytes,
            },
          ];
        }),
      });
    } else if (request.method === 'POST' && path === '/api/show') {
      const model = installed.get(name);
      if (model === undefined) return notFound(response, String(body.model));
      const parameters = ['stop                           "<|eot_id|>"'];
      if (model.numCtx !== undefined) parameters.push(`num_ctx                        ${model.numCtx}`);
      sendJson(response, 200, {
        modelfile: `# Modelfile generated by "ollama show"\nFROM ${name}\n`,
        parameters: parameters.join('\n'),
        template: '{{ .Prompt }}',
        details: details(model),
        model_info: {
          'general.architecture': model.architecture,
          'general.parameter_count': 8030261248,
          [`${model.architecture}.context_length`]: model.contextLength,
          [`${model.architecture}.embedding_length`]: 4096,
        },
        capabilities: model.capabilities ?? ['completion'],
        modified_at: modifiedAt,
      });
    } else if (request.method === 'POST' && path === '/api/generate') {
      if (!installed.has(name)) {
        return sendJson(response, 404, {
          error: `model "${String(body.model)}" not found, try pulling it first`,
        });
      }
      const unload = body.keep_alive === 0 || body.keep_alive === '0';
      if (unload) loaded.delete(name);
      else loaded.add(name);
      sendJson(response, 200, {
        model: name,
        created_at: '2024-09-12T03:54:03.516566Z',
        response: '',
        done: true,
        done_reason: unload ? 'unload' : 'load',
      });
    } else if (request.method === 'POST' && path === '/api/pull') {
      await pull(response, name);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('404 page not found');
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    installedNames: () => [...installed.keys()],
    loadedNames: () => [...loaded],
    requests,
    pullAbandoned: () => abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
