export * from './provider-error.ts';
export * from './chat-model-adapter.ts';
export * from './classify-http-error.ts';
export * from './coalesce-text-deltas.ts';
