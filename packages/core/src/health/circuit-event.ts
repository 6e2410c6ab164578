import type { ProviderErrorKind } from '../spec/provider-error.ts';

/**
 * Something that happened to a model's circuit, as reported by whoever ran an attempt (the engine
 * in the SDK or in the gateway, or an active probe). Event names follow the house's noun-action
 * style.
 */
export type CircuitEvent =
  | {
      /**
       * An attempt is about to be sent. In half-open it claims the single probe slot; prefer
       * `admitAttempt`, which does the same and also says whether the attempt may go.
       */
      type: 'attempt-start';
    }
  | {
      /** An attempt completed normally. In half-open it closes the circuit. */
      type: 'success';
    }
  | {
      /**
       * An attempt failed. Only kinds that describe the model's health count (see
       * `isHealthFailureKind`); the others leave the circuit as it is.
       */
      type: 'failure';
      kind: ProviderErrorKind;
      /** The provider's Retry-After, in milliseconds, when it sent one. */
      retryAfterMs?: number | undefined;
    }
  | {
      /** An operator declares the model healthy again: back to closed with no history. */
      type: 'reset';
    };
