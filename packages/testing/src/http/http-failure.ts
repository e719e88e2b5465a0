// Every error the test server reports, whether a handler answers directly or throws from deep in a
// file operation, must reach the client in one shape, so tests can assert on status and message alike.

import type { ServerResponse } from 'node:http';

/** An error that becomes this status and message when it reaches the request handler's catch. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Answer with `status` and a JSON body `{ "error": message }`. */
export function fail(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
