/**
 * @switchboard/core: Switchboard's pure domain logic. Nothing here performs I/O, reads a clock or
 * draws random numbers of its own: those are passed in, so every function is a plain function.
 */
export * from './validation.ts';
export * from './spec/index.ts';
export * from './context/index.ts';
export * from './registry/index.ts';
export * from './cost/index.ts';
export * from './selection/index.ts';
export * from './health/index.ts';
export * from './continuity/index.ts';
export * from './optimization/index.ts';
