import type { EngineEvent, EngineEventListener } from '@switchboard/sdk';

/**
 * Follows an execution's engine events to tell which model is producing the answer while it
 * streams, which the answer's parts do not say. With one attempt running it is that attempt's
 * model; after the answering attempt ended, the last one that succeeded. Also notes when the
 * engine answered with the crisis safe message.
 *
 * The engine settles a lost hedge (and ends the execution) synchronously, before the part that
 * decided it reaches a reader, so a reader asking on its first part gets the right model.
 */
export class SpeakerTracker {
  private readonly running = new Map<number, string>();
  private lastStarted: string | undefined;
  private lastSucceeded: string | undefined;
  private fallback = false;

  readonly listener: EngineEventListener = (event: EngineEvent): void => {
    switch (event.type) {
      case 'attempt-start':
        this.running.set(event.attemptIndex, event.modelId);
        this.lastStarted = event.modelId;
        return;
      case 'attempt-end':
        this.running.delete(event.attempt.index);
        if (event.attempt.outcome === 'ok') this.lastSucceeded = event.attempt.modelId;
        return;
      case 'execution-end':
        if (event.outcome === 'safe-message') this.fallback = true;
        return;
      default:
        return;
    }
  };

  /** The model producing the answer now, as far as the events tell. */
  speaker(): string | undefined {
    if (this.running.size === 1) return this.running.values().next().value;
    return this.lastSucceeded ?? this.lastStarted;
  }

  /** True once the execution ended with the crisis safe message. */
  usedFallback(): boolean {
    return this.fallback;
  }
}
