export * from './model-spec.ts';
export * from './routing-policy.ts';
export * from './registry-snapshot.ts';
export { canonicalJson, sha256Hex } from './content-hash.ts';
