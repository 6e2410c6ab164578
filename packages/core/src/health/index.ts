export * from './circuit-config.ts';
export * from './circuit-cooldown.ts';
export * from './circuit-state.ts';
export * from './circuit-event.ts';
export * from './health-failure-kind.ts';
export * from './circuit-status.ts';
export * from './circuit-admission.ts';
export * from './circuit-transition.ts';
