import type { ProviderErrorKind } from '@switchboard/core';
import type {
  AttemptRecord,
  AttemptTrigger,
  ContinuationMode,
  FallbackKind,
  SkipReason,
} from './execution-result.ts';

/** Fields every engine event carries. */
interface EngineEventBase {
  /** When it happened, on the engine's clock. */
  at: number;
  /** The host's id for the execution (`executionId` option), to correlate events; else `undefined`. */
  executionId: string | undefined;
}

/**
 * What the engine reports while it works, for telemetry, health and dashboards. Names are
 * noun-action. Events never carry message content: no prompt, no answer text, only counts, ids,
 * kinds and timings, so they may go to logs and metrics as they are.
 */
export type EngineEvent =
  | (EngineEventBase & {
      type: 'attempt-start';
      /** The attempt's `index` in the result, to pair it with its `attempt-end`. */
      attemptIndex: number;
      /** The model called. */
      modelId: string;
      /** The adapter's provider id. */
      provider: string;
      /** Why it started (retry, failover, hedge, handoff, ...). */
      trigger: AttemptTrigger;
      /** How it continues a partial answer, when it does. */
      continuation: ContinuationMode | undefined;
      /** The attempt is its model's half-open circuit probe. */
      probe: boolean;
    })
  | (EngineEventBase & {
      type: 'attempt-end';
      /** The finished attempt, with its outcome, timings, usage and cost. */
      attempt: AttemptRecord;
    })
  | (EngineEventBase & {
      type: 'hedge-start';
      /** The attempt that had no token in time; it keeps running. */
      primaryAttemptIndex: number;
      primaryModelId: string;
      hedgeModelId: string;
      /** How long the primary had been waiting for its first token. */
      waitedMs: number;
    })
  | (EngineEventBase & {
      type: 'handoff-start';
      /** The model whose answer broke off. */
      fromModelId: string;
      /** The model that continues it. */
      toModelId: string;
      /** Why the answer broke off (`stream_cut`, `stream_stall`, ...). */
      cause: ProviderErrorKind;
      /** Characters the caller had already received (a count, never the text). */
      deliveredCharacters: number;
      /** Prefill or instruction, as the target model's capabilities allow. */
      mode: ContinuationMode;
    })
  | (EngineEventBase & {
      type: 'candidate-skip';
      /** The candidate passed over. */
      modelId: string;
      /** Why it was passed over. */
      reason: SkipReason;
    })
  | (EngineEventBase & {
      type: 'execution-end';
      /** `ok`: a model answered; `safe-message`: the crisis fallback did; `error`: nothing did. */
      outcome: 'ok' | FallbackKind | 'error';
      /** The kind of the error the caller got (or that caused the fallback). */
      errorKind: ProviderErrorKind | 'no_candidate' | 'budget_exceeded' | undefined;
      /** Attempts started, hedges and retries included. */
      attempts: number;
      /** From `execute` to the end, on the engine's clock. */
      elapsedMs: number;
    });

/** Receives engine events. Called synchronously; an exception it throws is ignored. */
export type EngineEventListener = (event: EngineEvent) => void;
