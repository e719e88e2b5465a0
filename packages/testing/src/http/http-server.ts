import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { link, mkdir, mkdtemp, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { autoindexHtml, autoindexJson } from './autoindex.js';
import { DigestCache, fileEtag, lastModified, validatorMatches } from './file-validators.js';
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

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
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
  const generations = new Map<string, number>();
  const digestCache = new DigestCache();
  const requests: RecordedRequest[] = [];
  const digestHeaders: DigestHeader[] =
    options.digests === true
      ? ['repr-digest', 'digest', 'content-md5', 'x-amz-checksum-sha256']
      : options.digests || [];

  const pathOf = (key: string): string => {
    const path = resolve(root, key);
    if (path !== root && !path.startsWith(root + sep)) throw new HttpFailure(400, 'path escapes the root');
    return path;
  };
  const bump = (key: string) => generations.set(key, (generations.get(key) ?? 0) + 1);

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
      return method === 'PUT' ? put(req, res, record) : remove(res, key);
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
        bump(key);
      }
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) return fail(res, 404, 'not found');
    if (info.isDirectory()) return index(req, res, path, key, method);
    if (!info.isFile() || key.endsWith('/')) return fail(res, 404, 'not found');
    return serveFile(req, res, record, path, info, fault);
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

  const serveFile = async (
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    path: string,
    info: Stats,
    fault: HttpFault | undefined,
  ) => {
    const etag = fileEtag(info, generations.get(record.key) ?? 0);
    const modified = lastModified(info);
    const headers: Record<string, string | number> = {
      ETag: etag,
      'Last-Modified': modified,
      'Content-Type': contentTypeOf(path),
    };
    if (options.noRanges !== true) headers['Accept-Ranges'] = 'bytes';
    const ifMatch = req.headers['if-match'];
    if (
      ifMatch !== undefined &&
      ifMatch.trim() !== '*' &&
      !ifMatch.split(',').some((v) => v.trim() === etag)
    ) {
      return fail(res, 412, 'precondition failed');
    }
    const ifNoneMatch = req.headers['if-none-match'];
    if (
      ifNoneMatch !== undefined &&
      (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((v) => v.trim() === etag))
    ) {
      res.writeHead(304, { ETag: etag });
      return void res.end();
    }
    const size = info.size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    const rangeApplies =
      range !== undefined &&
      !options.noRanges &&
      (ifRange === undefined || validatorMatches(ifRange, etag, modified));
    if (rangeApplies) {
      const parsed = parseRange(range, size);
      if (parsed === 'unsatisfiable') {
        res.writeHead(416, { 'Content-Range': `bytes */${size}`, ETag: etag, 'Content-Length': '0' });
        return void res.end();
      }
      if (parsed) {
        [start, end] = parsed;
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
      }
    }
    if (status === 200 && digestHeaders.length > 0) {
      const digests = await digestCache.get(path, etag);
      const sha = digests.sha256.toString('base64');
      if (digestHeaders.includes('repr-digest')) headers['Repr-Digest'] = `sha-256=:${sha}:`;
      if (digestHeaders.includes('digest')) headers.Digest = `SHA-256=${sha}`;
      if (digestHeaders.includes('content-md5')) headers['Content-MD5'] = digests.md5.toString('base64');
      if (digestHeaders.includes('x-amz-checksum-sha256')) headers['x-amz-checksum-sha256'] = sha;
    }
    const length = size === 0 ? 0 : end - start + 1;
    headers['Content-Length'] = length;
    res.writeHead(status, headers);
    record.status = status;
    if (req.method === 'HEAD' || length === 0) return void res.end();
    await sendBody(res, record, path, start, end, fault);
  };

  const put = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => {
    const { key } = record;
    const path = pathOf(key);
    if (key === '' || key.endsWith('/')) {
      let bytes = 0;
      for await (const chunk of req) bytes += (chunk as Buffer).length;
      if (bytes > 0) return fail(res, 400, 'a key ending in / names a directory and cannot hold data');
      await mkdir(path, { recursive: true });
      res.writeHead(201, { 'Content-Length': '0' });
      return void res.end();
    }
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) {
      req.resume();
      return fail(res, 409, 'a directory has this name');
    }
    const currentEtag = existing ? fileEtag(existing, generations.get(key) ?? 0) : undefined;
    const createOnly = req.headers['if-none-match']?.trim() === '*';
    if (createOnly && existing) {
      req.resume();
      return fail(res, 412, 'already exists');
    }
    const ifMatch = req.headers['if-match'];
    if (
      ifMatch !== undefined &&
      (currentEtag === undefined || (ifMatch.trim() !== '*' && ifMatch.trim() !== currentEtag))
    ) {
      req.resume();
      return fail(res, 412, 'precondition failed');
    }
    await mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `.upload-${randomBytes(6).toString('hex')}`);
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    try {
      await pipeline(
        req,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            record.bytes += chunk.length;
            sha256.update(chunk);
            md5.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp),
      );
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) !== record.bytes)
        throw new HttpFailure(400, 'body shorter than Content-Length');
      const wantMd5 = req.headers['content-md5'] as string | undefined;
      if (typeof wantMd5 === 'string' && wantMd5 !== md5.digest('base64'))
        throw new HttpFailure(400, 'Content-MD5 mismatch');
      const digestHeader = req.headers['repr-digest'] ?? req.headers['content-digest'];
      const wantSha =
        typeof digestHeader === 'string' ? /sha-256=:([^:]*):/i.exec(digestHeader)?.[1] : undefined;
      if (wantSha !== undefined && wantSha !== sha256.digest('base64'))
        throw new HttpFailure(400, 'digest mismatch');
      if (createOnly) {
        // link() fails when the target exists: of racing create-only writers exactly one wins.
        await link(temp, path).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'EEXIST' ? new HttpFailure(412, 'already exists') : error;
        });
        await unlink(temp);
      } else {
        await rename(temp, path);
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    bump(key);
    const info = await stat(path);
    res.writeHead(existing ? 204 : 201, {
      ETag: fileEtag(info, generations.get(key) ?? 0),
      'Content-Length': '0',
    });
    res.end();
  };

  const remove = async (res: ServerResponse, key: string) => {
    const path = pathOf(key);
    const info = await stat(path).catch(() => undefined);
    if (!info || info.isDirectory()) return fail(res, 404, 'not found');
    await unlink(path);
    bump(key);
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

function fail(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
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

/** One `bytes=` range against a size: inclusive bounds, undefined to ignore, or unsatisfiable (416). */
function parseRange(header: string, size: number): [number, number] | undefined | 'unsatisfiable' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return [start, end];
}

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv',
  '.sha256': 'text/plain; charset=utf-8',
  '.md5': 'text/plain; charset=utf-8',
};

function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot > path.lastIndexOf('/') && TYPES[path.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

async function sendBody(
  res: ServerResponse,
  record: RecordedRequest,
  path: string,
  start: number,
  end: number,
  fault: HttpFault | undefined,
): Promise<void> {
  const source = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
  let first = true;
  try {
    for await (const data of source) {
      let chunk = data as Buffer;
      if (fault?.kind === 'corrupt' && first) {
        chunk = Buffer.from(chunk);
        chunk[0] = chunk[0]! ^ 0xff;
      }
      first = false;
      if (fault?.kind === 'drop' && record.bytes + chunk.length >= fault.afterBytes) {
        const keep = chunk.subarray(0, Math.max(0, fault.afterBytes - record.bytes));
        record.bytes += keep.length;
        await new Promise<void>((done) => res.write(keep, () => done()));
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === 'stall' && record.bytes + chunk.length >= fault.afterBytes) {
        const keep = chunk.subarray(0, Math.max(0, fault.afterBytes - record.bytes));
        record.bytes += keep.length;
        res.write(keep);
        await new Promise<void>((done) => res.once('close', () => done()));
        return;
      }
      if (fault?.kind === 'slow') {
        const step = Math.max(1, Math.floor(fault.bytesPerSecond / 20));
        for (let at = 0; at < chunk.length; at += step) {
          const piece = chunk.subarray(at, at + step);
          record.bytes += piece.length;
          if (!res.write(piece)) await waitDrain(res);
          await new Promise((done) => setTimeout(done, 50));
          if (res.destroyed) return;
        }
        continue;
      }
      record.bytes += chunk.length;
      if (!res.write(chunk)) await waitDrain(res);
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    source.destroy();
  }
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      res.off('drain', finish);
      res.off('close', finish);
      done();
    };
    res.once('drain', finish);
    res.once('close', finish);
  });
}
