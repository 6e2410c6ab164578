export * from './registry-source.ts';
export * from './static-registry-source.ts';
export * from './load-registry-file.ts';
export * from './file-registry-source.ts';
export * from './control-plane-registry-source.ts';
