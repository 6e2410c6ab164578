import {
  modelSpecSchema,
  providerSpecSchema,
  routingPolicySchema,
  type ModelSpec,
  type ProviderSpec,
  type RoutingPolicy,
} from '@switchboard/core';
import type { z } from 'zod';

/** The three kinds of registry entry, named as in the registry content and the tables. */
export type RegistryCollection = 'providers' | 'models' | 'policies';

/** Every collection, in the order a snapshot lists them. */
export const registryCollections: readonly RegistryCollection[] = ['providers', 'models', 'policies'];

/** The validated spec each collection holds. */
export interface RegistrySpecs {
  providers: ProviderSpec;
  models: ModelSpec;
  policies: RoutingPolicy;
}

/** How the admin API talks about each collection. */
export const collectionLabels: Readonly<
  Record<RegistryCollection, { singular: string; keyField: 'id' | 'name'; route: string }>
> = {
  providers: { singular: 'provider', keyField: 'id', route: '/admin/providers' },
  models: { singular: 'model', keyField: 'id', route: '/admin/models' },
  policies: { singular: 'policy', keyField: 'name', route: '/admin/policies' },
};

/** The key of a spec: its `id`, or a policy's `name`. */
export function keyOfSpec<Collection extends RegistryCollection>(
  collection: Collection,
  spec: RegistrySpecs[Collection],
): string {
  return collection === 'policies' ? (spec as RoutingPolicy).name : (spec as ModelSpec | ProviderSpec).id;
}

/** The core schema each collection's entries are validated with. */
export const specSchemas: { [Collection in RegistryCollection]: z.ZodType<RegistrySpecs[Collection]> } = {
  providers: providerSpecSchema,
  models: modelSpecSchema,
  policies: routingPolicySchema,
};
