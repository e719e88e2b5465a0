import { createHash, randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toAbortedError } from '../../errors/abort.js';
import { InvalidArgumentError, NotFoundError, PreconditionFailedError } from '../../errors/error-types.js';
import { DigestStream } from '../../integrity/digest-stream.js';
import { verifyChecksums, verifySize } from '../../integrity/verify.js';
import { delimitListing } from '../../listing/delimit.js';
import { compareKeys } from '../../listing/key-order.js';
import { abandonable } from '../../provider/abandonable.js';
import { toReadable } from '../../provider/body.js';
import type { Capabilities } from '../../provider/capabilities.js';
import { deleteEach } from '../../provider/delete-each.js';
import type {
  Body,
  CopyObjectOptions,
  DeleteOptions,
  DeleteOutcome,
  Entry,
  ListOptions,
  MultipartOptions,
  ObjectStat,
  Provider,
  ReadOptions,
  StatOptions,
  UploadedPart,
  UploadHandle,
  WriteOptions,
  WriteResult,
} from '../../provider/provider.js';
import { resolveRange } from '../../provider/range.js';
import { assertPinHolds } from '../../provider/read-pin.js';
import { displayUri, type StorageUri } from '../../uri/storage-uri.js';

interface StoredObject {
  data: Buffer;
  etag: string;
  lastModified: Date;
  contentType?: string;
  metadata?: Record<string, string>;
  sha256: string;
}

/**
 * `mem://namespace/key`: objects in process memory. For tests, caches and scratch space; it holds
 * every object whole, by nature, so it is not for large data.
 */
export class MemoryProvider implements Provider {
  readonly name = 'memory';
  readonly schemes = ['mem'] as const;
  readonly capabilities: Readonly<Capabilities> = Object.freeze({
    read: true,
    write: true,
    list: true,
    delete: true,
    rangeRead: true,
    multipart: true,
    serverSideCopy: true,
    presign: false,
    versioning: false,
    metadata: true,
    conditionalRead: true,
    conditionalWrite: true,
    delimiters: true,
    limits: Object.freeze({}),
  });
  private readonly namespaces = new Map<string, Map<string, StoredObject>>();
  private readonly uploads = new Map<
    string,
    { uri: StorageUri; parts: Map<number, Buffer>; options: MultipartOptions }
  >();
  private uploadCounter = 0;

  private bucket(name: string): Map<string, StoredObject> {
    let objects = this.namespaces.get(name);
    if (!objects) {
      objects = new Map();
      this.namespaces.set(name, objects);
    }
    return objects;
  }

  private get(uri: StorageUri): StoredObject {
    const found = this.namespaces.get(uri.bucket)?.get(uri.key);
    if (!found)
      throw new NotFoundError(`No such object: ${displayUri(uri)}`, {
        uri: displayUri(uri),
        provider: this.name,
      });
    return found;
  }

  async stat(uri: StorageUri, _options?: StatOptions): Promise<ObjectStat> {
    const o = this.get(uri);
    return {
      uri,
      size: o.data.length,
      etag: o.etag,
      lastModified: o.lastModified,
      ...(o.contentType === undefined ? {} : { contentType: o.contentType }),
      metadata: { ...(o.metadata ?? {}) },
      checksums: { sha256: o.sha256 },
      acceptsRanges: true,
    };
  }

  async read(uri: StorageUri, options: ReadOptions = {}): Promise<Readable> {
    if (options.signal?.aborted) throw toAbortedError(options.signal.reason);
    const o = this.get(uri);
    assertPinHolds(options, { etag: o.etag, lastModified: o.lastModified }, displayUri(uri), this.name);
    let data = o.data;
    if (options.range) {
      const span = resolveRange(options.range, data.length, displayUri(uri));
      data = span ? data.subarray(span[0], span[1] + 1) : data.subarray(0, 0);
    }
    // Hand out 64 KiB chunks so consumers see real streaming (backpressure, progress).
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 65_536) chunks.push(data.subarray(i, i + 65_536));
    // The signal also ends a read in progress, as a network read would stop.
    return abandonable(
      Readable.from(chunks, {
        objectMode: false,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
      options.signal,
    );
  }

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    const where = displayUri(uri);
    if (options.ifNoneMatch === '*' && this.namespaces.get(uri.bucket)?.has(uri.key)) {
      throw new PreconditionFailedError(`${where} already exists`, { uri: where, provider: this.name });
    }
    const chunks: Buffer[] = [];
    const digest = new DigestStream(['sha256', 'md5'], options.onProgress);
    await pipeline(
      toReadable(body),
      digest,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
      ...(options.signal ? [{ signal: options.signal }] : []),
    ).catch((error) => {
      throw options.signal?.aborted ? toAbortedError(options.signal.reason, `write to ${where}`) : error;
    });
    const sums = digest.checksums();
    verifySize(options.contentLength, digest.bytes, where);
    verifyChecksums(options.checksum, sums, where);
    // Checked again at commit: another writer may have created the key while this body streamed.
    if (options.ifNoneMatch === '*' && this.namespaces.get(uri.bucket)?.has(uri.key)) {
      throw new PreconditionFailedError(`${where} already exists`, { uri: where, provider: this.name });
    }
    const stored: StoredObject = {
      data: Buffer.concat(chunks),
      etag: `"${sums.md5Hex}"`,
      lastModified: new Date(),
      sha256: sums.sha256!,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { metadata: lowerKeys(options.metadata) }),
    };
    this.bucket(uri.bucket).set(uri.key, stored);
    return {
      uri,
      size: stored.data.length,
      etag: stored.etag,
      checksums: { sha256: sums.sha256!, md5Hex: sums.md5Hex! },
    };
  }

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    const objects = this.namespaces.get(prefix.bucket);
    if (!objects) return;
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix.key)).sort(compareKeys);
    const listed = function* () {
      for (const key of keys) {
        if (options.signal?.aborted) throw toAbortedError(options.signal.reason);
        const o = objects.get(key);
        if (o) yield { key, size: o.data.length, etag: o.etag, lastModified: o.lastModified };
      }
    };
    yield* delimitListing(prefix, prefix.key, listed(), options.recursive ?? false, options.startAfter);
  }

  async delete(uri: StorageUri, _options?: DeleteOptions): Promise<void> {
    this.namespaces.get(uri.bucket)?.delete(uri.key);
  }

  deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options?: DeleteOptions,
  ): AsyncIterable<DeleteOutcome> {
    return deleteEach(this, uris, options);
  }

  async copy(
    source: StorageUri,
    destination: StorageUri,
    options: CopyObjectOptions = {},
  ): Promise<WriteResult> {
    const o = this.get(source);
    if (options.ifMatch !== undefined && options.ifMatch !== o.etag) {
      throw new PreconditionFailedError(`ETag of ${displayUri(source)} is no longer ${options.ifMatch}`, {
        uri: displayUri(source),
      });
    }
    const copy: StoredObject = {
      ...o,
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.metadata === undefined ? {} : { metadata: lowerKeys(options.metadata) }),
    };
    this.bucket(destination.bucket).set(destination.key, copy);
    return { uri: destination, size: copy.data.length, etag: copy.etag, checksums: { sha256: copy.sha256 } };
  }

  async beginUpload(uri: StorageUri, options: MultipartOptions = {}): Promise<UploadHandle> {
    const uploadId = `${++this.uploadCounter}-${randomUUID()}`;
    this.uploads.set(uploadId, { uri, parts: new Map(), options });
    return { uri, uploadId };
  }

  async uploadPart(
    handle: UploadHandle,
    partNumber: number,
    body: Body,
    options: { contentLength?: number; signal?: AbortSignal } = {},
  ): Promise<UploadedPart> {
    const upload = this.upload(handle);
    const chunks: Buffer[] = [];
    const digest = new DigestStream(['md5']);
    await pipeline(
      toReadable(body),
      digest,
      new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c);
          cb();
        },
      }),
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    verifySize(options.contentLength, digest.bytes, `${displayUri(handle.uri)} part ${partNumber}`);
    const data = Buffer.concat(chunks);
    upload.parts.set(partNumber, data);
    return { partNumber, etag: `"${digest.checksums().md5Hex}"`, size: data.length };
  }

  async listParts(handle: UploadHandle): Promise<UploadedPart[]> {
    const upload = this.upload(handle);
    return [...upload.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, data]) => ({ partNumber, etag: `"${md5Hex(data)}"`, size: data.length }));
  }

  async completeUpload(handle: UploadHandle, parts: UploadedPart[]): Promise<WriteResult> {
    const upload = this.upload(handle);
    const data = Buffer.concat(
      parts.map((p) => {
        const part = upload.parts.get(p.partNumber);
        if (!part)
          throw new InvalidArgumentError(
            `Part ${p.partNumber} of ${displayUri(handle.uri)} was never uploaded`,
            {
              uri: displayUri(handle.uri),
            },
          );
        return part;
      }),
    );
    this.uploads.delete(handle.uploadId);
    return this.write(handle.uri, data, {
      ...(upload.options.contentType === undefined ? {} : { contentType: upload.options.contentType }),
      ...(upload.options.metadata === undefined ? {} : { metadata: upload.options.metadata }),
    });
  }

  async abortUpload(handle: UploadHandle): Promise<void> {
    this.uploads.delete(handle.uploadId);
  }

  /** Uploads begun and neither completed nor aborted (what S3's ListMultipartUploads shows). */
  openUploads(): UploadHandle[] {
    return [...this.uploads.entries()].map(([uploadId, u]) => ({ uri: u.uri, uploadId }));
  }

  private upload(handle: UploadHandle) {
    const upload = this.uploads.get(handle.uploadId);
    if (!upload)
      throw new NotFoundError(`No such upload ${handle.uploadId} for ${displayUri(handle.uri)}`, {
        uri: displayUri(handle.uri),
        provider: this.name,
      });
    return upload;
  }
}

function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function lowerKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}
