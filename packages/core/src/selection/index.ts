export * from './selection-types.ts';
