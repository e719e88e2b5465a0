import { mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { autoindexHtml, autoindexJson } from './autoindex.js';
import { type FileResponseContext, serveFile } from './file-response.js';
import { receiveUpload } from './file-upload.js';
import { DigestCache, WriteGenerations } from './file-validators.js';
import { fail, HttpFailure } from './http-failure.js';
import { FaultTable, type HttpFault } from './http-faults.js';

/** Digest headers the server can announce on full responses and HEAD. */
export type DigestHeader = 'repr-digest' | 'digest' | 'content-md5' | 'x-amz-checksum-sha256';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Directory to serve; a new temp directory (removed on close) when omitted. */
  dir?: string;
  /** Require these credentials on every request (401 otherwise). */
  auth?: {
    /** Accept `Authorization: Bearer <this>`. */
    bearer?: string;
    /** Accept HTTP basic auth with this user and password. */
    basic?: {
      /** Expected user name. */
      username: string;
      /** Expected password. */
      password: string;
    };
  };
  /** `true`: ignore `Range` and say nothing; `'advertised'`: say `Accept-Ranges: bytes` and still ignore it. */
  noRanges?: boolean | 'advertised';
  /**
   * Honour If-Match, If-Unmodified-Since and If-Range. Default true; false ignores them all, as a
   * naive server does (validators are still sent).
   */
  conditionals?: boolean;
  /** Send ETags. Default true; false sends only Last-Modified, as Python's `http.server` does. */
  etags?: boolean;
  /** Refuse HEAD with this status (true = 405), as some object stores and presigned URLs do. */
  noHead?: boolean | number;
  /** Accept PUT and DELETE (405 otherwise). Default false. */
  writable?: boolean;
  /** Serve directories (keys ending in `/`) as nginx's JSON autoindex, or as an HTML page. */
  autoindex?: 'json' | 'html';
  /** Digest headers to announce (true = all). */
  digests?: boolean | DigestHeader[];
  /** Faults armed from the start (more with `setFault`). */
  faults?: HttpFault[];
  /** Address to listen on. Default 127.0.0.1 (another loopback address gives a second "host"). */
  host?: string;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Decoded key (path without the leading `/`). */
  key: string;
  /** Request headers (names lower-case), credentials included as sent. */
  headers: IncomingHttpHeaders;
  /** Status answered; unset until the response has started. */
  status?: number;
  /** Body bytes sent (GET) or received (PUT). */
  bytes: number;
}

/** A running local HTTP server. */
export interface HttpTestServer {
  /** `http://127.0.0.1:port` (no trailing slash). */
  baseUrl: string;
  /** TCP port it listens on (chosen by the OS). */
  port: number;
  /** The served directory. */
  dir: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The URL of a key (path segments percent-encoded). */
  urlFor(key: string): string;
  /** Arm another fault. */
  setFault(fault: HttpFault): void;
  /** Disarm every fault. */
  clearFaults(): void;
  /** Stop listening, drop open connections, and remove the temp directory if the server made it. */
  close(): Promise<void>;
}

/**
 * Start a static-file HTTP server on a random loopback port for tests and benchmarks: Range (one
 * range), HEAD, strong ETags with If-Range/If-Match/If-None-Match, Last-Modified, optional
 * bearer/basic auth, optional PUT/DELETE, an nginx-style autoindex, digest headers, and injected
 * faults (dropped connections, 5xx/429 bursts with Retry-After, slow or corrupted bodies, HTML
 * login pages, redirects, files changing between requests).
 */
export async function startHttpServer(options: HttpServerOptions = {}): Promise<HttpTestServer> {
  const ownDir = options.dir === undefined;
  const root = resolve(options.dir ?? (await mkdtemp(join(tmpdir(), 'stowage-http-'))));
  const faults = new FaultTable();
  for (const fault of options.faults ?? []) faults.add(fault);
  const generations = new WriteGenerations();
  const requests: RecordedRequest[] = [];
  const fileResponse: FileResponseContext = {
    noRanges: options.noRanges,
    conditionals: options.conditionals ?? true,
    etags: options.etags ?? true,
    digestHeaders:
      options.digests === true
        ? ['repr-digest', 'digest', 'content-md5', 'x-amz-checksum-sha256']
        : options.digests || [],
    digestCache: new DigestCache(),
    generations,
  };

  const pathOf = (key: string): string => {
    const path = resolve(root, key);
    if (path !== root && !path.startsWith(root + sep)) throw new HttpFailure(400, 'path escapes the root');
    return path;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => {
    const method = req.method ?? 'GET';
    const { key } = record;
    if (options.auth && !authorized(req.headers.authorization, options.auth)) {
      res.setHeader(
        'WWW-Authenticate',
        options.auth.bearer ? 'Bearer realm="stowage"' : 'Basic realm="stowage"',
      );
      return fail(res, 401, 'authentication required');
    }
    const fault = faults.take(method, key);
    if (fault?.kind === 'status') {
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
      return fail(res, fault.status, 'injected fault');
    }
    if (fault?.kind === 'redirect') {
      res.writeHead(fault.status ?? 302, { Location: fault.location, 'Content-Length': '0' });
      return void res.end();
    }
    if (fault?.kind === 'html') {
      const page =
        '<!DOCTYPE html><html><body><form action="/login"><input name="password"></form></body></html>';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': page.length });
      return void res.end(page);
    }
    if (method === 'PUT' || method === 'DELETE') {
      if (!options.writable) {
        res.setHeader('Allow', 'GET, HEAD');
        return fail(res, 405, `${method} is not allowed`);
      }
      return method === 'PUT' ? receiveUpload(req, res, record, pathOf(key), generations) : remove(res, key);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', options.writable ? 'GET, HEAD, PUT, DELETE' : 'GET, HEAD');
      return fail(res, 405, `${method} is not allowed`);
    }
    if (method === 'HEAD' && options.noHead) {
      res.setHeader('Allow', 'GET');
      return fail(res, options.noHead === true ? 405 : options.noHead, 'HEAD is not allowed');
    }
    const path = pathOf(key);
    if (method === 'GET') {
      const replacement = faults.countGet(key);
      if (replacement !== undefined) {
        await writeFile(path, replacement);
        generations.bump(key);
      }
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) return fail(res, 404, 'not found');
    if (info.isDirectory()) return index(req, res, path, key, method);
    if (!info.isFile() || key.endsWith('/')) return fail(res, 404, 'not found');
    return serveFile(req, res, record, path, info, fault, fileResponse);
  };

  const index = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    key: string,
    method: string,
  ) => {
    if (!options.autoindex || !(key === '' || key.endsWith('/'))) return fail(res, 404, 'not found');
    const entries = await autoindexJson(path);
    const [type, body] =
      options.autoindex === 'json'
        ? ['application/json', JSON.stringify(entries)]
        : ['text/html; charset=utf-8', autoindexHtml(req.url ?? '/', entries)];
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
  };

  const remove = async (res: ServerResponse, key: string) => {
    const path = pathOf(key);
    const info = await stat(path).catch(() => undefined);
    if (!info || info.isDirectory()) return fail(res, 404, 'not found');
    await unlink(path);
    generations.bump(key);
    res.writeHead(204);
    res.end();
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    let key: string;
    try {
      key = decodeURIComponent(url.split('?')[0]!).replace(/^\/+/, '');
    } catch {
      key = '\u0000';
    }
    const record: RecordedRequest = { method: req.method ?? 'GET', url, key, headers: req.headers, bytes: 0 };
    requests.push(record);
    res.on('finish', () => {
      record.status ??= res.statusCode;
    });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
    const work = /[\u0000]/.test(key)
      ? Promise.reject(new HttpFailure(400, 'bad path'))
      : handle(req, res, record);
    work.catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpFailure) return fail(res, error.status, error.message);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return fail(res, 404, 'not found');
      fail(res, 500, 'internal error');
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => done());
  });
  const { port, address } = server.address() as AddressInfo;
  const baseUrl = `http://${address}:${port}`;
  return {
    baseUrl,
    port,
    dir: root,
    requests,
    urlFor: (key) => `${baseUrl}/${key.split('/').map(encodeURIComponent).join('/')}`,
    setFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      if (ownDir) await rm(root, { recursive: true, force: true });
    },
  };
}

function authorized(header: string | undefined, auth: NonNullable<HttpServerOptions['auth']>): boolean {
  if (header === undefined) return false;
  if (auth.bearer !== undefined && header === `Bearer ${auth.bearer}`) return true;
  if (auth.basic !== undefined) {
    const want = Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64');
    if (header === `Basic ${want}`) return true;
  }
  return false;
}
