import * as openaiModule from 'openai';

/**
 * The official `openai` npm client (6.x), seen through the small part of its surface these tests
 * touch. The narrower types let a request carry Switchboard's extra `switchboard` body field, which
 * the client sends as it is (as Python's client does with `extra_body`).
 */

/** A message as the client sends it. */
export type ClientMessage =
  | { role: 'system' | 'developer' | 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** The request fields these tests send (and any extra field, such as `switchboard`). */
export interface ClientChatRequest {
  model: string;
  messages: ClientMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: object } }[];
  tool_choice?: 'none' | 'auto' | 'required';
  temperature?: number;
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  [extra: string]: unknown;
}

export interface ClientToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ClientCompletion {
  id: string;
  object: string;
  model: string;
  choices: {
    index: number;
    message: { role: string; content: string | null; tool_calls?: ClientToolCall[] };
    finish_reason: string;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ClientChunk {
  id: string;
  object: string;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string | null;
      tool_calls?: (Partial<ClientToolCall> & { index: number })[];
    };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/** What `create(...).withResponse()` gives: the parsed body and the raw response (headers). */
export interface WithResponse<Data> {
  data: Data;
  response: Response;
}

interface RequestOptions {
  headers?: Record<string, string>;
}

interface CreatePromise<Data> extends Promise<Data> {
  withResponse(): Promise<WithResponse<Data>>;
}

/** The client's surface used here. */
export interface OpenAiClient {
  chat: {
    completions: {
      create(
        body: ClientChatRequest & { stream: true },
        options?: RequestOptions,
      ): CreatePromise<AsyncIterable<ClientChunk>>;
      create(body: ClientChatRequest, options?: RequestOptions): CreatePromise<ClientCompletion>;
    };
  };
  models: { list(): Promise<{ data: { id: string; owned_by: string }[] }> };
}

/** The client's error classes, for `instanceof` checks. */
export interface OpenAiErrorClasses {
  APIError: new (...args: never[]) => Error & {
    status: number | undefined;
    code: string | null | undefined;
    param: string | null | undefined;
    type: string | undefined;
  };
  BadRequestError: new (...args: never[]) => Error;
  NotFoundError: new (...args: never[]) => Error;
  AuthenticationError: new (...args: never[]) => Error;
  InternalServerError: new (...args: never[]) => Error;
  RateLimitError: new (...args: never[]) => Error;
}

interface OpenAiModule extends OpenAiErrorClasses {
  OpenAI: new (options: {
    baseURL: string;
    apiKey: string;
    maxRetries?: number;
    timeout?: number;
  }) => OpenAiClient;
}

const openai = openaiModule as unknown as OpenAiModule;

/** The client's error classes. */
export const openAiErrors: OpenAiErrorClasses = openai;

/** A client for the gateway at `${base}/v1`, retrying nothing (the tests count attempts). */
export function openAiClient(base: string, apiKey: string | undefined): OpenAiClient {
  return new openai.OpenAI({
    baseURL: `${base}/v1`,
    apiKey: apiKey ?? 'no-key',
    maxRetries: 0,
    timeout: 20_000,
  });
}
