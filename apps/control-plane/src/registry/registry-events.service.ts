import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { REGISTRY_CHANGE_BUS, type RegistryChange, type RegistryChangeBus } from './registry-change-bus.ts';
import { RegistryService } from './registry.service.ts';

/** Injection token of the event stream's settings. */
export const REGISTRY_EVENTS_OPTIONS = Symbol.for('switchboard.control-plane.registry-events-options');

/** Settings of `/v1/registry/events`. */
export interface RegistryEventsOptions {
  /** How often an idle stream gets a `: keep-alive` comment, so proxies keep it open. Default 15,000 ms. */
  heartbeatMs: number;
  /** The `retry:` reconnection delay announced to clients. Default 2,000 ms. */
  retryMs: number;
}

/** The defaults of {@link RegistryEventsOptions}. */
export const defaultRegistryEventsOptions: RegistryEventsOptions = { heartbeatMs: 15_000, retryMs: 2_000 };

/** One open stream: how to end it. */
interface OpenStream {
  end(): void;
}

/**
 * The server side of `/v1/registry/events`, the contract of the SDK's control-plane registry
 * source: on connection the current `event: snapshot` with `data: {"version","hash"}`, then one
 * such event per accepted change, versions strictly rising per stream; a comment line every
 * heartbeat. A stream is cleaned up when its client goes away, and every stream is ended when the
 * application shuts down, so the HTTP server can close.
 */
@Injectable()
export class RegistryEventsService implements OnModuleDestroy {
  readonly #streams = new Set<OpenStream>();

  constructor(
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(REGISTRY_CHANGE_BUS) private readonly bus: RegistryChangeBus,
    @Inject(REGISTRY_EVENTS_OPTIONS) private readonly options: RegistryEventsOptions,
  ) {}

  /** Streams to `response` until the client disconnects or the application stops. */
  async open(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let lastVersion = -1;
    const send = (change: RegistryChange) => {
      if (change.version <= lastVersion || response.writableEnded) return;
      lastVersion = change.version;
      response.write(
        `event: snapshot\ndata: ${JSON.stringify({ version: change.version, hash: change.hash })}\n\n`,
      );
    };
    // Subscribe before reading the state, so that a change committed in between is not missed.
    const unsubscribe = this.bus.subscribe(send);
    const heartbeat = setInterval(() => {
      if (!response.writableEnded) response.write(': keep-alive\n\n');
    }, this.options.heartbeatMs);
    heartbeat.unref();
    const stream: OpenStream = { end: () => response.end() };
    const cleanUp = () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(stream);
    };
    this.#streams.add(stream);
    request.on('close', cleanUp);
    response.on('close', cleanUp);

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${this.options.retryMs}\n\n`);
    try {
      const state = await this.registry.currentState();
      if (state.version > 0) send(state);
    } catch {
      // The database is briefly unreachable: the client will fetch the snapshot on its own.
    }
  }

  /** How many streams are open; for tests and metrics. */
  get openStreams(): number {
    return this.#streams.size;
  }

  onModuleDestroy(): void {
    for (const stream of [...this.#streams]) stream.end();
  }
}
