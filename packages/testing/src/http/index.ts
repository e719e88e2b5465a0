export type { AutoindexEntry } from './autoindex.js';
export type { FaultScope, HttpFault } from './http-faults.js';
export {
  type DigestHeader,
  type HttpServerOptions,
  type HttpTestServer,
  type RecordedRequest,
  startHttpServer,
} from './http-server.js';
