export * from './session.ts';
export * from './session-store.ts';
export * from './memory-session-store.ts';
