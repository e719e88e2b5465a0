export * from './aws/index.js';
export * from './catalog/index.js';
export * from './conformance/index.js';
export * from './http/index.js';
export * from './s3/index.js';
