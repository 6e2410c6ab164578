/**
 * The one error type every adapter raises. The engine decides what to do next (retry, fail over,
 * stop) from `kind` alone, so adapters must classify every failure into this closed set instead of
 * letting transport errors escape.
 */
export const providerErrorKinds = [
  'rate_limited',
  'overloaded',
  'server',
  'timeout',
  'network',
  'context_length',
  'content_filter',
  'auth',
  'bad_request',
  'aborted',
  'stream_cut',
  'stream_stall',
  'malformed_response',
  'prefill_unsupported',
] as const;

/** What went wrong, in the vocabulary the engine, the circuit breaker and the ledger share. */
export type ProviderErrorKind = (typeof providerErrorKinds)[number];

/**
 * Kinds that may succeed when the same request is tried again (on the same model or another one).
 * `context_length`, `content_filter`, `auth`, `bad_request`, `aborted` and `prefill_unsupported`
 * are properties of the request or the account, so repeating it unchanged cannot help.
 */
const retryableKinds: ReadonlySet<ProviderErrorKind> = new Set<ProviderErrorKind>([
  'rate_limited',
  'overloaded',
  'server',
  'timeout',
  'network',
  'stream_cut',
  'stream_stall',
  'malformed_response',
]);

/** True when trying the request again, unchanged, could succeed. */
export function isRetryableKind(kind: ProviderErrorKind): boolean {
  return retryableKinds.has(kind);
}

const providerErrorMarker = Symbol.for('switchboard.provider-error');

/** Everything needed to build a {@link ProviderError}. */
export interface ProviderErrorOptions {
  kind: ProviderErrorKind;
  message: string;
  /** HTTP status when the provider answered with one. */
  status?: number | undefined;
  /** How long the provider asked us to wait before the next attempt, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** Provider id from the registry (`openai`, `anthropic`, `sim`, ...). */
  provider?: string | undefined;
  /** Registry model id the attempt was for. */
  modelId?: string | undefined;
  /**
   * The provider's own explanation, kept verbatim: for `content_filter` it is what the caller is
   * shown, so the game can tell the player why the text was refused.
   */
  providerMessage?: string | undefined;
  /** The provider's error code or type (`context_length_exceeded`, `overloaded_error`, ...). */
  providerCode?: string | undefined;
  cause?: unknown;
}

/**
 * A classified provider failure. Checked with {@link isProviderError} (a `Symbol.for` marker)
 * rather than `instanceof`, because several copies of this package can live in one process.
 */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly modelId: string | undefined;
  readonly providerMessage: string | undefined;
  readonly providerCode: string | undefined;
  readonly [providerErrorMarker] = true;

  constructor(options: ProviderErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.providerMessage = options.providerMessage;
    this.providerCode = options.providerCode;
  }

  /** True when trying the request again, unchanged, could succeed. */
  get isRetryable(): boolean {
    return isRetryableKind(this.kind);
  }

  /** A copy that names the model it happened on; adapters know the model, classifiers do not. */
  withModel(provider: string, modelId: string): ProviderError {
    return new ProviderError({ ...this.toOptions(), provider, modelId });
  }

  /** A plain description, safe to log: it never contains message content. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, ...this.toOptions(), cause: undefined };
  }

  private toOptions(): ProviderErrorOptions {
    return {
      kind: this.kind,
      message: this.message,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      provider: this.provider,
      modelId: this.modelId,
      providerMessage: this.providerMessage,
      providerCode: this.providerCode,
      cause: this.cause,
    };
  }
}

/** True for any {@link ProviderError}, whichever copy of this package created it. */
export function isProviderError(value: unknown): value is ProviderError {
  return typeof value === 'object' && value !== null && providerErrorMarker in value;
}
