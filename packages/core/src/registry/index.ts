export * from './model-spec.ts';
export * from './routing-policy.ts';
export * from './registry-snapshot.ts';
export { canonicalJson, sha256Hex } from './content-hash.ts';
export * from './parse-registry-document.ts';
export * from './merge-registry-content.ts';
export * from './default-registry.ts';
export * from './import-litellm-catalog.ts';
export * from './apply-catalog-prices.ts';
