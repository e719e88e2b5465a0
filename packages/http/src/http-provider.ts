import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type Body,
  type Capabilities,
  ChecksumMismatchError,
  type Checksums,
  checkRange,
  type DeleteOptions,
  type DeleteOutcome,
  DigestSet,
  deleteEach,
  delimitListing,
  digestAlgorithmsFor,
  type Entry,
  InvalidArgumentError,
  InvalidUriError,
  type ListOptions,
  markRangeIgnored,
  type ObjectStat,
  type Provider,
  parseUri,
  type ReadOptions,
  type ReadPin,
  type StatOptions,
  type StorageUri,
  throwIfAborted,
  toReadable,
  type UriLike,
  unsupported,
  verifyChecksums,
  verifySize,
  type WriteOptions,
  type WriteResult,
  withKey,
} from '@stowage/core';
import { walkAutoindex } from './autoindex-listing.js';
import { bodyWindow, contentLength, parseContentRange } from './body-window.js';
import { type DownloadOptions, type DownloadResult, downloadToFile } from './download-to-file.js';
import { refuseHtmlPage } from './html-guard.js';
import { HttpClient, type HttpResponse, whereOf } from './http-client.js';
import { PROVIDER_NAME, transportError } from './http-errors.js';
import { type HttpProviderOptions, type ResolvedHttpOptions, resolveHttpOptions } from './http-options.js';
import { checksumsFromHeaders, hasVerifiable } from './integrity/digest-headers.js';
import { parseSidecar, type SidecarAlgorithm } from './integrity/sidecar.js';
import { sendPinned } from './read-pin-headers.js';
import { MeasuredBody } from './upload-body.js';

/** The caller's pin, when it gave one. */
function pinOf(options: ReadOptions): ReadPin | undefined {
  const { ifMatch, ifUnmodifiedSince } = options;
  if (ifMatch === undefined && ifUnmodifiedSince === undefined) return undefined;
  return {
    ...(ifMatch === undefined ? {} : { ifMatch }),
    ...(ifUnmodifiedSince === undefined ? {} : { ifUnmodifiedSince }),
  };
}

/** Statuses that mean "no HEAD here" (presigned GET URLs, some object stores and CDNs). */
const HEAD_REFUSED = [403, 405, 501];
/** Sidecar files are a line of text; refuse anything much larger. */
const MAX_SIDECAR_BYTES = 64 * 1024;

function discard(response: HttpResponse): void {
  if (contentLength(response.headers) === 0) response.body.resume();
  else response.body.destroy();
}

function statFrom(
  uri: StorageUri,
  headers: IncomingHttpHeaders,
  size: number,
  acceptsRanges: boolean,
  partial: boolean,
): ObjectStat {
  const modified = headers['last-modified'] === undefined ? Number.NaN : Date.parse(headers['last-modified']);
  const checksums = checksumsFromHeaders(headers, partial);
  return {
    uri,
    size,
    acceptsRanges,
    ...(headers.etag === undefined ? {} : { etag: headers.etag }),
    ...(Number.isNaN(modified) ? {} : { lastModified: new Date(modified) }),
    ...(headers['content-type'] === undefined ? {} : { contentType: headers['content-type'] }),
    ...(Object.keys(checksums).length === 0 ? {} : { checksums }),
  };
}

async function readText(response: HttpResponse, limit: number, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw new InvalidArgumentError(`${where} is larger than ${limit} bytes`, { uri: where });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `http://` and `https://` on got: HEAD-based stat (with a ranged-GET fallback), streaming reads that
 * resume after a dropped connection without splicing versions, parallel segmented downloads to a
 * file, retries with backoff on network errors, 429 and 5xx (honouring `Retry-After`), redirects
 * that keep credentials on their host, timeouts and abort, bearer/basic/netrc/delegated auth, digest
 * checks from response headers or sidecar files. Writes (PUT), deletes and listings (an autoindex
 * JSON page) only where the options say the server has them.
 */
export class HttpProvider implements Provider {
  readonly name = PROVIDER_NAME;
  readonly schemes = ['http', 'https'] as const;
  /** Fixed at construction: `write`, `delete`, `list` and `conditionalWrite` follow the options. */
  readonly capabilities: Readonly<Capabilities>;
  /** The configured got client (shared sockets, credentials per host). */
  readonly client: HttpClient;
  private readonly options: ResolvedHttpOptions;

  constructor(options: HttpProviderOptions = {}) {
    this.options = resolveHttpOptions(options);
    this.client = new HttpClient(this.options);
    this.capabilities = Object.freeze({
      read: true,
      write: this.options.allowWrite,
      list: this.options.listing === 'autoindex-json',
      delete: this.options.allowDelete,
      rangeRead: true,
      multipart: false,
      serverSideCopy: false,
      presign: false,
      versioning: false,
      metadata: false,
      // Reads are pinned whatever the server's write support: If-Match/If-Range where it honours
      // them, and every answer's validators compared where it does not.
      conditionalRead: true,
      conditionalWrite: this.options.allowWrite && this.options.conditionalWrite,
      delimiters: this.options.listing === 'autoindex-json',
      // One PUT per object, whatever its size: HTTP servers state no limits of their own.
      limits: Object.freeze({}),
    });
  }

  private check(uri: StorageUri): void {
    if (uri.scheme !== 'http' && uri.scheme !== 'https') {
      throw new InvalidUriError(`The http provider serves http:// and https://, not ${whereOf(uri)}`, {
        uri: whereOf(uri),
        provider: this.name,
      });
    }
  }

  /** Size, validators, type and announced digests, by HEAD; by a one-byte ranged GET where HEAD is refused. */
  async stat(uri: StorageUri, options: StatOptions = {}): Promise<ObjectStat> {
    this.check(uri);
    const { signal } = options;
    const head = await this.client.send(uri, {
      method: 'HEAD',
      operation: 'stat',
      accept: HEAD_REFUSED,
      ...(signal ? { signal } : {}),
    });
    head.body.resume();
    const size = contentLength(head.headers);
    if (!HEAD_REFUSED.includes(head.status) && size !== undefined) {
      return statFrom(uri, head.headers, size, head.headers['accept-ranges'] === 'bytes', false);
    }
    const probe = await this.client.send(uri, {
      method: 'GET',
      operation: 'stat',
      headers: { range: 'bytes=0-0' },
      accept: [416],
      ...(signal ? { signal } : {}),
    });
    discard(probe);
    if (probe.status === 206 || probe.status === 416) {
      const total =
        parseContentRange(probe.headers['content-range'])?.total ??
        Number(/\/(\d+)$/.exec(probe.headers['content-range'] ?? '')?.[1] ?? 0);
      return statFrom(uri, probe.headers, total, true, true);
    }
    return statFrom(uri, probe.headers, contentLength(probe.headers) ?? -1, false, false);
  }

  /**
   * The bytes as a stream. A dropped connection is resumed with `Range` + `If-Range`; a full read is
   * checked against the digests the server announces (the stream fails with ChecksumMismatchError).
   */
  async read(uri: StorageUri, options: ReadOptions = {}): Promise<Readable> {
    this.check(uri);
    const where = whereOf(uri);
    const { signal, range } = options;
    throwIfAborted(signal, `read of ${where}`);
    const headers: Record<string, string> = {};
    if (range) {
      checkRange(range, where);
      headers.range = `bytes=${range.start}-${range.end ?? ''}`;
    }
    const pin = pinOf(options);
    const first = await sendPinned(this.client, uri, pin, {
      method: 'GET',
      operation: 'read',
      headers,
      ranged: range !== undefined,
      accept: [416],
      ...(signal ? { signal } : {}),
    });
    const start = range?.start ?? 0;
    if (first.status === 416) {
      first.body.destroy();
      const total = Number(/\/(\d+)$/.exec(first.headers['content-range'] ?? '')?.[1] ?? Number.NaN);
      if (start === 0 && (total === 0 || Number.isNaN(total)))
        return Readable.from([], { objectMode: false });
      throw new InvalidArgumentError(
        `Range start ${start} is beyond the end of ${where}${Number.isNaN(total) ? '' : ` (${total} bytes)`}`,
        { uri: where, provider: this.name },
      );
    }
    try {
      if (this.options.refuseHtml) refuseHtmlPage(where, uri.key, first.headers['content-type']);
    } catch (error) {
      first.body.destroy();
      throw error;
    }
    const body = bodyWindow(first, {
      where,
      operation: 'read',
      start,
      ...(range?.end === undefined ? {} : { end: range.end }),
      ...(signal ? { signal } : {}),
    });
    const expected =
      range === undefined && first.status === 200 ? checksumsFromHeaders(first.headers) : undefined;
    const stream = hasVerifiable(expected) ? verifiedBody(body, expected!, where) : body;
    const readable = Readable.from(stream, { objectMode: false, highWaterMark: 256 * 1024 });
    // The bytes are right (skipped to the start), but the engine should not read such a server in parts.
    const partial = range !== undefined && (range.start > 0 || range.end !== undefined);
    return partial && first.status === 200 ? markRangeIgnored(readable) : readable;
  }

  /** PUT the body (only with `allowWrite`). A digest given in `checksum` travels as `Repr-Digest`/`Content-MD5`. */
  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    this.check(uri);
    const where = whereOf(uri);
    if (!this.options.allowWrite) {
      throw unsupported(
        this.name,
        'write (PUT); pass allowWrite: true for a server that accepts uploads',
        uri,
      );
    }
    throwIfAborted(options.signal, `write to ${where}`);
    if (options.ifNoneMatch === '*' && !this.capabilities.conditionalWrite) {
      throw unsupported(
        this.name,
        'create-only writes (the server is not trusted to honour If-None-Match)',
        uri,
      );
    }
    const hasher = new DigestSet(digestAlgorithmsFor(options.checksum, true));
    const headers: Record<string, string> = {
      'content-type': options.contentType ?? 'application/octet-stream',
    };
    if (options.ifNoneMatch === '*') headers['if-none-match'] = '*';
    if (options.checksum?.sha256) headers['repr-digest'] = `sha-256=:${options.checksum.sha256}:`;
    if (options.checksum?.md5Hex)
      headers['content-md5'] = Buffer.from(options.checksum.md5Hex, 'hex').toString('base64');
    let payload: Buffer | Readable;
    let measured: MeasuredBody | undefined;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const buffer =
        typeof body === 'string'
          ? Buffer.from(body, 'utf8')
          : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      verifySize(options.contentLength, buffer.length, where);
      hasher.update(buffer);
      verifyChecksums(options.checksum, hasher.checksums(), where);
      headers['content-length'] = String(buffer.length);
      payload = buffer;
    } else {
      measured = new MeasuredBody(where, hasher, options.contentLength, options.onProgress);
      if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
      const source = toReadable(body);
      payload = measured;
      pipeline(source, measured).catch((error) => measured!.destroy(error));
    }
    const response = await this.client
      .send(uri, {
        method: 'PUT',
        operation: 'write',
        headers,
        body: payload,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress && Buffer.isBuffer(payload) ? { onUploadProgress: options.onProgress } : {}),
      })
      .catch((error) => {
        if (measured?.errored) throw measured.errored;
        // A server that checks Repr-Digest/Content-MD5 refuses the body (400): say why, when we can.
        if (measured?.readableEnded) verifyChecksums(options.checksum, hasher.checksums(), where);
        throw error;
      });
    response.body.resume();
    const size = measured ? measured.bytes : (payload as Buffer).length;
    const checksums = hasher.checksums();
    if (measured) {
      try {
        verifyChecksums(options.checksum, checksums, where);
      } catch (error) {
        // The server took bytes that do not match what the caller promised: take them back.
        if (this.options.allowDelete) await this.delete(uri).catch(() => undefined);
        throw error;
      }
    }
    if (!measured && options.onProgress) options.onProgress(size);
    return {
      uri,
      size,
      checksums,
      ...(response.headers.etag === undefined ? {} : { etag: response.headers.etag }),
    };
  }

  /** Objects under a prefix, from nginx-style autoindex JSON pages (only with `listing: 'autoindex-json'`). */
  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    this.check(prefix);
    if (this.options.listing !== 'autoindex-json') {
      throw unsupported(
        this.name,
        "list (HTML index pages cannot be listed reliably); pass listing: 'autoindex-json' for a server with a JSON autoindex",
        prefix,
      );
    }
    const key = prefix.key;
    const slash = key.lastIndexOf('/');
    const recursive = options.recursive ?? false;
    const files = walkAutoindex(
      this.client,
      prefix,
      key.slice(0, slash + 1),
      key.slice(slash + 1),
      recursive,
      options.signal,
    );
    for await (const entry of delimitListing(prefix, key, files, recursive, options.startAfter)) {
      throwIfAborted(options.signal, `list of ${whereOf(prefix)}`);
      yield entry;
    }
  }

  /** DELETE (only with `allowDelete`); a missing object is not an error. */
  async delete(uri: StorageUri, options: DeleteOptions = {}): Promise<void> {
    this.check(uri);
    if (!this.options.allowDelete) {
      throw unsupported(this.name, 'delete; pass allowDelete: true for a server that accepts DELETE', uri);
    }
    const response = await this.client.send(uri, {
      method: 'DELETE',
      operation: 'delete',
      accept: [404, 410],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    discard(response);
  }

  /** One DELETE per key (HTTP has no batch delete); per-key failures are reported, not thrown. */
  deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options?: DeleteOptions,
  ): AsyncIterable<DeleteOutcome> {
    return deleteEach(this, uris, options);
  }

  /**
   * Download to a local file through the transfer engine (see {@link DownloadOptions}): pinned
   * parallel segments, verified, then renamed into place, so the destination is whole or untouched.
   */
  downloadToFile(uri: UriLike, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const parsed = parseUri(uri);
    this.check(parsed);
    return downloadToFile(
      this,
      {
        refuseHtml: this.options.refuseHtml,
        segmentSize: this.options.segmentSize,
        concurrency: this.options.concurrency,
      },
      parsed,
      path,
      options,
    );
  }

  /** Digests from `<url>.sha256` / `<url>.md5`; with `auto`, whichever exists (none is fine). */
  async sidecar(
    uri: StorageUri,
    algorithm: SidecarAlgorithm | 'auto',
    signal?: AbortSignal,
  ): Promise<Checksums> {
    const algorithms: SidecarAlgorithm[] = algorithm === 'auto' ? ['sha256', 'md5'] : [algorithm];
    for (const name of algorithms) {
      const side = withKey(uri, `${uri.key}.${name}`);
      const response = await this.client.send(side, {
        method: 'GET',
        operation: 'read sidecar',
        accept: algorithm === 'auto' ? [404] : [],
        ...(signal ? { signal } : {}),
      });
      if (response.status === 404) {
        response.body.destroy();
        continue;
      }
      return parseSidecar(await readText(response, MAX_SIDECAR_BYTES, whereOf(side)), name, whereOf(side));
    }
    return {};
  }

  /** Drop pooled keep-alive sockets. */
  async close(): Promise<void> {
    this.client.close();
  }
}

async function* verifiedBody(
  source: AsyncIterable<Buffer>,
  expected: Checksums,
  where: string,
): AsyncGenerator<Buffer> {
  const hasher = new DigestSet(digestAlgorithmsFor(expected));
  for await (const chunk of source) {
    hasher.update(chunk);
    yield chunk;
  }
  try {
    verifyChecksums(expected, hasher.checksums(), where);
  } catch (error) {
    throw error instanceof ChecksumMismatchError ? error : transportError(error, 'read', where, undefined);
  }
}
