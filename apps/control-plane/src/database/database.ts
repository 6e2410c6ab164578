import type { ModelSpec, ProviderSpec, RegistryContent, RoutingPolicy } from '@switchboard/core';
import type { ColumnType, Generated } from 'kysely';

/**
 * A jsonb column. Written as JSON text (both drivers hand text to the server, which parses it), read
 * back as the parsed value.
 */
export type JsonColumn<Value> = ColumnType<Value, string, string>;

/** A timestamptz column: read as a `Date`, written as an ISO 8601 string from the injected clock. */
export type TimestampColumn = ColumnType<Date, string, string>;

/**
 * One registry entry (provider, model or policy). The validated spec is kept whole as jsonb, so a
 * spec field added to core needs no migration; `enabled` is a column so that it can be queried.
 * `position` keeps the order entries were created in, which is the order of the snapshot's arrays
 * (policy resolution takes the first match, so order is part of the content).
 */
export interface RegistryEntryTable<Spec> {
  /** The model or provider id; for policies, the policy's name. */
  id: string;
  spec: JsonColumn<Spec>;
  /** For models and providers this mirrors `spec.enabled`; disabled policies are left out of snapshots. */
  enabled: boolean;
  position: Generated<number>;
  created_at: TimestampColumn;
  updated_at: TimestampColumn;
}

/** Every accepted registry version, kept for audit and for serving the current one. */
export interface RegistrySnapshotTable {
  version: number;
  /** SHA-256 of the canonical content; the snapshot's ETag. */
  hash: string;
  created_at: TimestampColumn;
  content: JsonColumn<RegistryContent>;
}

/**
 * The single row (id 1) holding the current registry version. Every change locks it first
 * (`SELECT ... FOR UPDATE`), which serialises concurrent admin writes across instances, so each
 * accepted change gets the next version exactly once.
 */
export interface RegistryStateTable {
  id: number;
  /** 0 until the first start seeds the registry. */
  version: number;
  /** Hash of the current version's content; empty before seeding. */
  hash: string;
  updated_at: TimestampColumn;
}

/**
 * The control plane's tables, for Kysely's typing. Later features append their tables here (api
 * keys, the cost ledger, budgets, health probes...) together with a migration in `migrations/`.
 */
export interface Database {
  providers: RegistryEntryTable<ProviderSpec>;
  models: RegistryEntryTable<ModelSpec>;
  policies: RegistryEntryTable<RoutingPolicy>;
  registry_snapshots: RegistrySnapshotTable;
  registry_state: RegistryStateTable;
}
