import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A small HTTP answer from a metadata endpoint. */
export interface MetadataResponse {
  /** HTTP status code (0 when the server sent none). */
  status: number;
  /** The body as UTF-8 text (at most 1 MiB; a larger answer is an error). */
  body: string;
}

/**
 * One request to a link-local metadata service with a hard timeout covering connect and body.
 * Plain `node:http` (no proxy, no retries): metadata endpoints are local and botocore talks to
 * them the same way. Rejects on timeout or a connection error.
 */
export function metadataRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<MetadataResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      // A connection of its own (no keep-alive pool): each answer comes from the endpoint as it is now.
      { method: init.method ?? 'GET', headers: init.headers, signal: init.signal, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 1024 * 1024) req.destroy(new Error('metadata response too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)),
      init.timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
