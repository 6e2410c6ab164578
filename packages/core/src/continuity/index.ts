export * from './fit-to-window.ts';
export * from './adapt-for-model.ts';
export * from './continuation.ts';
export * from './stitch.ts';
export * from './stream-stitcher.ts';
export * from './transcript-for-model.ts';
