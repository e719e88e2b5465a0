export * from './fault-proxy.js';
export { motoServerAvailable, type StartMotoServerOptions, startMotoServer } from './moto-server.js';
export { type StartS3ServerOptions, startS3Server } from './s3rver-server.js';
export type { S3ServerHandle } from './server-handle.js';
