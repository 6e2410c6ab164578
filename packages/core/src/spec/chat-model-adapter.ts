import type { ProviderError } from './provider-error.ts';

/** A turn of a conversation in the provider-neutral shape every adapter translates from. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | {
      role: 'assistant';
      content: string;
      /** Tool calls the assistant made in this turn; their results follow as `tool` messages. */
      toolCalls?: ToolCall[] | undefined;
    }
  | { role: 'tool'; toolCallId: string; content: string };

/** The role of a {@link ChatMessage}. */
export type ChatRole = ChatMessage['role'];

/** A function the model may call, described by a JSON Schema for its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/** A complete tool call: `arguments` is the JSON text the model produced, unparsed. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Everything an adapter needs for one call. The adapter never chooses a model: it is told. */
export interface ChatRequest {
  messages: ChatMessage[];
  maxOutputTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  stop?: string[] | undefined;
  seed?: number | undefined;
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  /** `json` asks for JSON mode where the model supports it. */
  responseFormat?: 'text' | 'json' | undefined;
  /** The engine aborts through this signal; adapters must stop reading promptly when it fires. */
  abortSignal?: AbortSignal | undefined;
  /** Extra HTTP headers for this call only. */
  headers?: Record<string, string> | undefined;
}

/** Why generation stopped, in our words, with the provider's own string beside it. */
export interface FinishReason {
  unified: 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';
  raw: string | undefined;
}

/**
 * Token counts as the provider reported them. Fields are `undefined` when the provider did not say,
 * which is different from zero: the ledger must not price a missing count as free.
 */
export interface Usage {
  inputTokens: {
    total: number | undefined;
    /** Prompt tokens served from the provider's cache (billed at the cache-read price). */
    cacheRead: number | undefined;
    /** Prompt tokens written into the provider's cache (billed at the cache-write price). */
    cacheWrite: number | undefined;
  };
  outputTokens: {
    total: number | undefined;
    /** Hidden reasoning tokens, already included in `total`. */
    reasoning: number | undefined;
  };
  /** The provider's usage object as it arrived, for audits. */
  raw?: unknown;
}

/** A usage value with every count unknown. */
export function emptyUsage(): Usage {
  return {
    inputTokens: { total: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: undefined, reasoning: undefined },
  };
}

/** The answer of a non-streaming call. */
export interface GenerateResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Provider response id and the model name the provider says answered. */
  response: { id?: string | undefined; modelId?: string | undefined };
}

/**
 * One event of a streamed answer. A stream that ends without a `finish` part was cut: the engine
 * treats it as `stream_cut`, never as a complete answer.
 */
export type StreamPart =
  | { type: 'text-delta'; delta: string }
  | {
      type: 'tool-call-delta';
      /** Position of the call among this turn's tool calls; deltas with the same index belong together. */
      index: number;
      id?: string | undefined;
      name?: string | undefined;
      argumentsDelta: string;
    }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage; response?: GenerateResult['response'] }
  | { type: 'error'; error: ProviderError };

/** The result of starting a stream: resolved once the provider has sent its response headers. */
export interface StreamResult {
  stream: AsyncIterable<StreamPart>;
  /** Counters of what the adapter had to repair while reading (skipped malformed chunks, ...). */
  diagnostics?: StreamDiagnostics | undefined;
}

/** Facts about a stream's hygiene, filled in as it is read. */
export interface StreamDiagnostics {
  malformedChunksSkipped: number;
}

/**
 * The contract between Switchboard and a provider. Methods start with `do` because only the engine
 * calls them: it owns retries, deadlines and failover, so adapters must not retry on their own.
 * Every failure is thrown (or, mid-stream, yielded or thrown) as a `ProviderError`.
 */
export interface ChatModelAdapterV1 {
  readonly specificationVersion: 'v1';
  /** Provider id from the registry. */
  readonly provider: string;
  /** The provider's name for the model. */
  readonly providerModel: string;
  doGenerate(request: ChatRequest): Promise<GenerateResult>;
  doStream(request: ChatRequest): Promise<StreamResult>;
}
