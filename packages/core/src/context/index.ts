export * from './therapeutic-context.ts';
