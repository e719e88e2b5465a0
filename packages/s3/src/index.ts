export * from './credentials/index.js';
export * from './provider/index.js';
export * from './routing/index.js';
