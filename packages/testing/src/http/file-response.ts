// GET and HEAD of a file are most of what the test server is for, and most of its protocol detail:
// validators and conditional requests, one-range requests, digest headers, and the body faults that
// cut, stall, slow or corrupt a transfer. Kept apart from routing so each can be read on its own.

import { createReadStream, type Stats } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DigestCache,
  fileEtag,
  lastModified,
  validatorMatches,
  type WriteGenerations,
} from './file-validators.js';
import { fail } from './http-failure.js';
import type { HttpFault } from './http-faults.js';
import type { DigestHeader, RecordedRequest } from './http-server.js';

/** The server's settings and shared state a file response depends on. */
export interface FileResponseContext {
  /** The server's `noRanges` option. */
  noRanges: boolean | 'advertised' | undefined;
  /** The server's `conditionals` option: false ignores If-Match, If-Unmodified-Since and If-Range. */
  conditionals: boolean;
  /** The server's `etags` option: false sends no ETag (Last-Modified only). */
  etags: boolean;
  /** Digest headers to announce on full (200) responses. */
  digestHeaders: readonly DigestHeader[];
  /** Digests of served files, kept across requests. */
  digestCache: DigestCache;
  /** Server-side writes per key, part of each ETag. */
  generations: WriteGenerations;
}

/**
 * Answer a GET or HEAD of the regular file at `path` (already `stat`ed as `info`): 412, 304, 416,
 * 206 or 200 with validators and digest headers, then the body with `fault` applied to it. Sets
 * `record.status` when the headers go out and counts body bytes into `record.bytes`.
 */
export async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  path: string,
  info: Stats,
  fault: HttpFault | undefined,
  context: FileResponseContext,
): Promise<void> {
  const etag = fileEtag(info, context.generations.of(record.key));
  const modified = lastModified(info);
  const headers: Record<string, string | number> = {
    ...(context.etags ? { ETag: etag } : {}),
    'Last-Modified': modified,
    'Content-Type': contentTypeOf(path),
  };
  if (context.noRanges !== true) headers['Accept-Ranges'] = 'bytes';
  const ifMatch = context.conditionals ? req.headers['if-match'] : undefined;
  const ifMatchFails =
    ifMatch !== undefined &&
    ifMatch.trim() !== '*' &&
    (!context.etags || !ifMatch.split(',').some((v) => v.trim() === etag));
  const since = context.conditionals ? req.headers['if-unmodified-since'] : undefined;
  const sinceFails = since !== undefined && Date.parse(modified) > Date.parse(since);
  if (ifMatchFails || sinceFails) return fail(res, 412, 'precondition failed');
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
  const ifRange = context.conditionals ? (req.headers['if-range'] as string | undefined) : undefined;
  const rangeApplies =
    range !== undefined &&
    !context.noRanges &&
    (ifRange === undefined || validatorMatches(ifRange, context.etags ? etag : '', modified));
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
  const { digestHeaders } = context;
  if (status === 200 && digestHeaders.length > 0) {
    const digests = await context.digestCache.get(path, etag);
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

/** The body from `start` to `end` (inclusive), with the body faults (`corrupt`, `drop`, `stall`, `slow`) applied. */
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

// Also settles on close: a client that hangs up mid-body never drains, and the send loop must not wait forever.
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
