export * from './telemetry-event.ts';
export * from './telemetry-sink.ts';
export * from './memory-telemetry-sink.ts';
export * from './http-telemetry-sink.ts';
