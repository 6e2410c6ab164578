import {
  adviceFor,
  classifyHttpError,
  classifyTransportError,
  isProviderError,
  ProviderError,
  type ModelSpecInput,
} from '@switchboard/core';
import {
  readArray,
  readCount,
  readRecord,
  readString,
  readStringArray,
  type JsonRecord,
} from '../wire/lenient-json.ts';
import { readNdjsonLines } from './ndjson-lines.ts';
import { ollamaRegistryEntries, type OllamaRegistryOptions } from './ollama-registry-entries.ts';
import type {
  OllamaInstalledModel,
  OllamaLoadedModel,
  OllamaModelDetails,
  OllamaModelInfo,
  OllamaPullProgress,
} from './ollama-types.ts';

/** Where the Ollama host is. */
export interface OllamaManagerOptions {
  /**
   * The host's root URL, `http://127.0.0.1:11434`. A trailing `/v1` (the OpenAI-compatible base the
   * adapter uses) is accepted and removed, so one setting serves both.
   */
  baseUrl: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Provider id named in errors. Default `ollama`. */
  providerId?: string | undefined;
}

/** Per-call options: the caller may abort any call. */
export interface OllamaCallOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Ollama's native model management, beside the OpenAI-compatible chat endpoint: what is installed,
 * what is loaded, pulling, unloading, and reading a model's window. Every failure is a
 * `ProviderError` (unreachable host: `network`; unknown model: `bad_request`; abort: `aborted`).
 */
export interface OllamaManager {
  /** Models on disk (`GET /api/tags`). */
  listInstalled(options?: OllamaCallOptions): Promise<OllamaInstalledModel[]>;
  /** Models in memory (`GET /api/ps`). */
  listLoaded(options?: OllamaCallOptions): Promise<OllamaLoadedModel[]>;
  /**
   * Downloads a model (`POST /api/pull`), yielding Ollama's progress lines and ending after
   * `success`. An error line from Ollama is thrown. Nothing is sent until iteration starts.
   */
  pull(model: string, options?: OllamaCallOptions): AsyncIterable<OllamaPullProgress>;
  /** Frees a model's memory now instead of after its keep-alive (`POST /api/generate`, `keep_alive: 0`). */
  unload(model: string, options?: OllamaCallOptions): Promise<void>;
  /** A model's architecture, windows and capabilities (`POST /api/show`). */
  show(model: string, options?: OllamaCallOptions): Promise<OllamaModelInfo>;
  /** Every installed model as a registry entry, its window read from `/api/show`. */
  toRegistryEntries(options?: OllamaRegistryOptions & OllamaCallOptions): Promise<ModelSpecInput[]>;
}

function readDetails(value: unknown): OllamaModelDetails {
  const details = readRecord(value);
  return {
    format: readString(details?.format),
    family: readString(details?.family),
    parameterSize: readString(details?.parameter_size),
    quantizationLevel: readString(details?.quantization_level),
  };
}

function readInstalled(entry: JsonRecord): OllamaInstalledModel | undefined {
  const name = readString(entry.name) ?? readString(entry.model);
  if (name === undefined) return undefined;
  return {
    name,
    sizeBytes: readCount(entry.size),
    digest: readString(entry.digest),
    modifiedAt: readString(entry.modified_at),
    details: readDetails(entry.details),
  };
}

function readModels(body: unknown): JsonRecord[] {
  const records: JsonRecord[] = [];
  for (const entry of readArray(readRecord(body)?.models) ?? []) {
    const record = readRecord(entry);
    if (record !== undefined) records.push(record);
  }
  return records;
}

function readNumCtx(parameters: string | undefined): number | undefined {
  const match = parameters === undefined ? null : /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(parameters);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Ollama answers errors as `{"error":"text"}`; core's classifier reads `{error:{message}}`. */
function errorBody(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    const message = readString(readRecord(parsed)?.error);
    return message === undefined ? parsed : { error: { message } };
  } catch {
    return text;
  }
}

/** Creates the manager for one Ollama host. */
export function createOllamaManager(options: OllamaManagerOptions): OllamaManager {
  const root = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const fetchImplementation = options.fetch ?? globalThis.fetch;
  const provider = options.providerId ?? 'ollama';

  const failure = (error: unknown, what: string, signal: AbortSignal | undefined): ProviderError => {
    if (isProviderError(error)) return error;
    const classified =
      signal?.aborted === true
        ? { kind: 'aborted' as const, message: adviceFor('aborted') }
        : classifyTransportError(error, { provider });
    const hint = classified.kind === 'network' ? `; is Ollama running there (\`ollama serve\`)?` : '';
    return new ProviderError({
      kind: classified.kind,
      message: `Ollama at ${root} could not ${what}: ${classified.message}${hint}`,
      provider,
      cause: error,
    });
  };

  const call = async (
    path: string,
    what: string,
    init: { method: 'GET' } | { method: 'POST'; body: unknown },
    signal: AbortSignal | undefined,
  ): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImplementation(`${root}${path}`, {
        method: init.method,
        ...(init.method === 'POST'
          ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
          : {}),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw failure(error, what, signal);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const classified = classifyHttpError(response.status, response.headers, errorBody(text), { provider });
      throw new ProviderError({
        kind: classified.kind,
        status: response.status,
        message: `Ollama at ${root} could not ${what}: ${classified.message}`,
        provider,
        providerMessage: classified.providerMessage,
        providerCode: classified.providerCode,
      });
    }
    return response;
  };

  const json = async (
    path: string,
    what: string,
    init: { method: 'GET' } | { method: 'POST'; body: unknown },
    signal: AbortSignal | undefined,
  ): Promise<unknown> => {
    const response = await call(path, what, init, signal);
    try {
      return await response.json();
    } catch (error) {
      if (signal?.aborted === true) throw failure(error, what, signal);
      throw new ProviderError({
        kind: 'malformed_response',
        message: `Ollama at ${root} could not ${what}: ${adviceFor('malformed_response')}.`,
        provider,
        cause: error,
      });
    }
  };

  const manager: OllamaManager = {
    async listInstalled(callOptions = {}) {
      const body = await json('/api/tags', 'list installed models', { method: 'GET' }, callOptions.signal);
      return readModels(body).flatMap((entry) => readInstalled(entry) ?? []);
    },

    async listLoaded(callOptions = {}) {
      const body = await json('/api/ps', 'list loaded models', { method: 'GET' }, callOptions.signal);
      return readModels(body).flatMap((entry) => {
        const installed = readInstalled(entry);
        if (installed === undefined) return [];
        const { modifiedAt: _modifiedAt, ...loaded } = installed;
        return [
          { ...loaded, expiresAt: readString(entry.expires_at), sizeVramBytes: readCount(entry.size_vram) },
        ];
      });
    },

    async *pull(model, callOptions = {}) {
      const what = `pull "${model}"`;
      const signal = callOptions.signal;
      const response = await call(
        '/api/pull',
        what,
        { method: 'POST', body: { model, stream: true } },
        signal,
      );
      if (response.body === null) throw failure(new Error('empty response'), what, signal);
      try {
        for await (const line of readNdjsonLines(response.body)) {
          let parsed: JsonRecord | undefined;
          try {
            parsed = readRecord(JSON.parse(line));
          } catch {
            parsed = undefined;
          }
          const error = readString(parsed?.error);
          if (error !== undefined) {
            throw new ProviderError({
              kind: 'server',
              message: `Ollama at ${root} could not ${what}: Ollama said "${error}". Check the name at https://ollama.com/library and the host's connection to it.`,
              provider,
              providerMessage: error,
            });
          }
          const status = readString(parsed?.status);
          if (status === undefined) continue;
          const progress: OllamaPullProgress = { status };
          const digest = readString(parsed?.digest);
          const total = readCount(parsed?.total);
          const completed = readCount(parsed?.completed);
          if (digest !== undefined) progress.digest = digest;
          if (total !== undefined) progress.total = total;
          if (completed !== undefined) progress.completed = completed;
          yield progress;
          if (status === 'success') return;
        }
      } catch (error) {
        throw failure(error, what, signal);
      }
      throw new ProviderError({
        kind: 'stream_cut',
        message: `Ollama at ${root} could not ${what}: the progress stream ended before "success"; pull again to resume.`,
        provider,
      });
    },

    async unload(model, callOptions = {}) {
      await json(
        '/api/generate',
        `unload "${model}"`,
        { method: 'POST', body: { model, keep_alive: 0 } },
        callOptions.signal,
      );
    },

    async show(model, callOptions = {}) {
      const body = readRecord(
        await json('/api/show', `show "${model}"`, { method: 'POST', body: { model } }, callOptions.signal),
      );
      const info = readRecord(body?.model_info);
      const architecture = readString(info?.['general.architecture']);
      return {
        name: model,
        architecture,
        contextLength:
          architecture === undefined ? undefined : readCount(info?.[`${architecture}.context_length`]),
        configuredContextLength: readNumCtx(readString(body?.parameters)),
        capabilities: readStringArray(body?.capabilities) ?? [],
        details: readDetails(body?.details),
      };
    },

    async toRegistryEntries(registryOptions = {}) {
      const signal = registryOptions.signal;
      const installed = await manager.listInstalled({ signal });
      const models = await Promise.all(
        installed.map(async (model) => ({
          installed: model,
          info: await manager.show(model.name, { signal }),
        })),
      );
      return ollamaRegistryEntries(models, registryOptions);
    },
  };
  return manager;
}
