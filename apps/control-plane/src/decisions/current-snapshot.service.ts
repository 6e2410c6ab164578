import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { RegistrySnapshot } from '@switchboard/core';
import { CLOCK, type Clock } from '../config/clock.ts';
import { REGISTRY_CHANGE_BUS, type RegistryChangeBus } from '../registry/registry-change-bus.ts';
import { RegistryService } from '../registry/registry.service.ts';

/**
 * How long a held snapshot is served without asking the database whether the version moved. Only
 * matters for changes made on another instance whose announcement this one missed (an in-process
 * change bus); changes announced on the bus are seen at once.
 */
const recheckAfterMs = 5_000;

/**
 * The registry snapshot the gateway and `/v1/select` work against, held in memory so a request
 * costs no database round trip. A change announced on the registry change bus makes the next
 * request wait for the new version (an admin who changed the registry sees the change on the next
 * call); without announcements the version is re-checked in the background every few seconds.
 *
 * The registry module is found through the module graph (`strict: false`) rather than imported,
 * because it is a dynamic module the root module builds once, with its own options.
 */
@Injectable()
export class CurrentSnapshotService implements OnModuleInit, OnModuleDestroy {
  private registry: RegistryService | undefined;
  private held: RegistrySnapshot | undefined;
  private checkedAt = 0;
  private announcedVersion = 0;
  private refreshing: Promise<RegistrySnapshot> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry = this.find<RegistryService>(RegistryService);
    const bus = this.find<RegistryChangeBus>(REGISTRY_CHANGE_BUS);
    this.unsubscribe = bus.subscribe((change) => {
      if (change.version > this.announcedVersion) this.announcedVersion = change.version;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The current snapshot: the held one while it is current, else the newest from the registry. */
  async current(): Promise<RegistrySnapshot> {
    return this.currentIfHeld() ?? this.refresh();
  }

  /**
   * What {@link CurrentSnapshotService.current} answers when it needs no load (nearly always),
   * without a promise; `undefined` when a newer version must be loaded first. For the hot routes,
   * where every promise also runs the process's async hooks.
   */
  currentIfHeld(): RegistrySnapshot | undefined {
    const held = this.held;
    if (held === undefined || held.version < this.announcedVersion) return undefined;
    if (this.clock.now() - this.checkedAt > recheckAfterMs && this.refreshing === undefined) {
      // Served as it is meanwhile; a failed re-check is retried on a later request.
      this.refresh().catch(() => undefined);
    }
    return held;
  }

  private refresh(): Promise<RegistrySnapshot> {
    this.refreshing ??= this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<RegistrySnapshot> {
    const registry = this.registry ?? this.find<RegistryService>(RegistryService);
    const snapshot = await registry.currentSnapshot();
    this.checkedAt = this.clock.now();
    if (this.held === undefined || snapshot.version >= this.held.version) this.held = snapshot;
    return this.held;
  }

  private find<Value>(token: unknown): Value {
    try {
      return this.moduleRef.get<Value>(token as symbol, { strict: false });
    } catch (error) {
      throw new Error(
        'The gateway needs the registry: import RegistryModule in the application module next to GatewayModule.',
        { cause: error },
      );
    }
  }
}
