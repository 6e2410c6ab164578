// The public surface of @switchboard/sdk.

// --- engine (packages/sdk/src/engine): execute a decision -----------------------------------
export * from './engine/index.ts';
// --- end engine ---------------------------------------------------------------------------------

// --- client (packages/sdk/src/client) -----------------------------------------------------------
export * from './client/index.ts';
// --- end client ---------------------------------------------------------------------------------
