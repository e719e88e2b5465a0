import type { Readable } from 'node:stream';
import type { StorageUri } from '../uri/storage-uri.js';
import type { Capabilities } from './capabilities.js';

/** Digests of an object, base64 (as S3 reports them) except `md5Hex`. */
export interface Checksums {
  sha256?: string;
  crc32?: string;
  crc32c?: string;
  sha1?: string;
  /** MD5 as lower-case hex (an S3 single-part ETag, HTTP `Content-MD5` converted). */
  md5Hex?: string;
}

/** What `stat` returns. */
export interface ObjectStat {
  uri: StorageUri;
  /** Size in bytes. */
  size: number;
  /** Strong or weak validator; changes when the content changes. */
  etag?: string;
  lastModified?: Date;
  contentType?: string;
  /** User metadata (`x-amz-meta-*` on S3), keys lower-case. */
  metadata?: Record<string, string>;
  checksums?: Checksums;
  versionId?: string;
  /** Whether the object supports ranged reads (HTTP `Accept-Ranges`). */
  acceptsRanges?: boolean;
}

/** A byte range, both ends inclusive, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  /** Inclusive end; omitted means "to the end of the object". */
  end?: number;
}

/** Options of `stat`. */
export interface StatOptions {
  signal?: AbortSignal;
  /** Agree to pay for this request (S3 requester-pays buckets); providers without the notion ignore it. */
  requesterPays?: boolean;
}

/** Options of `read`. */
export interface ReadOptions {
  /** Read only these bytes. */
  range?: ByteRange;
  signal?: AbortSignal;
  /** Fail with `PreconditionFailedError` unless the object's ETag still equals this. */
  ifMatch?: string;
  /** Agree to pay for this request (S3 requester-pays buckets); providers without the notion ignore it. */
  requesterPays?: boolean;
}

/** Anything `write` accepts as content. */
export type Body = Readable | Uint8Array | string | AsyncIterable<Uint8Array>;

/** Progress of one write, in bytes consumed from the body. */
export type ProgressCallback = (bytesDone: number) => void;

/** Options of `write`. */
export interface WriteOptions {
  /** Size of the body when known; lets providers choose single vs multipart and verify length. */
  contentLength?: number;
  contentType?: string;
  /** User metadata to store with the object. */
  metadata?: Record<string, string>;
  /** `'*'`: fail with `PreconditionFailedError` when the object exists (create-only). */
  ifNoneMatch?: '*';
  /** Expected digests; a mismatch fails with `ChecksumMismatchError` and stores nothing. */
  checksum?: Checksums;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** What a successful write returns. */
export interface WriteResult {
  uri: StorageUri;
  size: number;
  etag?: string;
  versionId?: string;
  checksums?: Checksums;
}

/** One listing entry: an object, or a common prefix when the listing is delimited. */
export type Entry =
  | { type: 'object'; uri: StorageUri; key: string; size: number; etag?: string; lastModified?: Date }
  | { type: 'prefix'; uri: StorageUri; key: string };

/** Options of `list`. */
export interface ListOptions {
  /** Descend into "sub-directories"; otherwise group them at `/` as `prefix` entries. Default false. */
  recursive?: boolean;
  /** Page size the provider asks its backend for; iteration hides the pages. */
  pageSize?: number;
  signal?: AbortSignal;
}

/** The outcome of one key in `deleteMany`. */
export interface DeleteOutcome {
  uri: StorageUri;
  /** Present when this key failed; the others still went through. */
  error?: Error;
}

/** Options of `delete`/`deleteMany`. */
export interface DeleteOptions {
  signal?: AbortSignal;
}

/** Options of a server-side `copy`. */
export interface CopyObjectOptions {
  signal?: AbortSignal;
  /** Fail with PreconditionFailed when the source's ETag is no longer this. */
  ifMatch?: string;
  metadata?: Record<string, string>;
  contentType?: string;
}

/** Options of `presign`. */
export interface PresignOptions {
  method?: 'GET' | 'PUT';
  /** Lifetime in seconds. */
  expiresIn?: number;
  contentType?: string;
}

/** A multipart upload in progress. */
export interface UploadHandle {
  uri: StorageUri;
  uploadId: string;
}

/** One uploaded part. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
  size?: number;
  checksumSha256?: string;
  checksumCrc32?: string;
}

/** Options of the multipart hooks. */
export interface MultipartOptions {
  signal?: AbortSignal;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * What an adapter implements: one storage protocol, translated thinly. Cross-cutting behaviour
 * (retries, timeouts, logging) lives in layers, not here. Methods a provider lacks throw
 * `UnsupportedOperationError`, matching its {@link Capabilities}.
 */
export interface Provider {
  /** Short name used in errors and logs (`fs`, `memory`, `s3`, `http`). */
  readonly name: string;
  /** URI schemes this provider serves. */
  readonly schemes: readonly string[];
  readonly capabilities: Readonly<Capabilities>;

  /** Size, validators and metadata of one object. @throws NotFoundError */
  stat(uri: StorageUri, options?: StatOptions): Promise<ObjectStat>;
  /** The object's bytes as a stream (nothing is buffered whole). @throws NotFoundError */
  read(uri: StorageUri, options?: ReadOptions): Promise<Readable>;
  /** Store an object atomically: readers see the old or the new content, never a part. */
  write(uri: StorageUri, body: Body, options?: WriteOptions): Promise<WriteResult>;
  /** Objects under a prefix in lexicographic key order; pagination is hidden. */
  list(prefix: StorageUri, options?: ListOptions): AsyncIterable<Entry>;
  /** Delete one object; deleting a missing object succeeds (as on S3). */
  delete(uri: StorageUri, options?: DeleteOptions): Promise<void>;
  /** Delete many objects, batched where the backend batches; per-key failures are reported, not thrown. */
  deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options?: DeleteOptions,
  ): AsyncIterable<DeleteOutcome>;

  /** Server-side copy within this provider. */
  copy?(source: StorageUri, destination: StorageUri, options?: CopyObjectOptions): Promise<WriteResult>;
  /** A URL that grants the method on the object for a while, without credentials. */
  presign?(uri: StorageUri, options?: PresignOptions): Promise<string>;

  /** Start a multipart upload. */
  beginUpload?(uri: StorageUri, options?: MultipartOptions): Promise<UploadHandle>;
  /** Upload one part (numbers from 1). */
  uploadPart?(
    handle: UploadHandle,
    partNumber: number,
    body: Body,
    options?: { contentLength?: number; signal?: AbortSignal },
  ): Promise<UploadedPart>;
  /** Finish a multipart upload with its parts in order. */
  completeUpload?(
    handle: UploadHandle,
    parts: UploadedPart[],
    options?: { signal?: AbortSignal },
  ): Promise<WriteResult>;
  /** Abort a multipart upload and free its parts. */
  abortUpload?(handle: UploadHandle, options?: { signal?: AbortSignal }): Promise<void>;
  /** Parts already uploaded (for resuming). */
  listParts?(handle: UploadHandle, options?: { signal?: AbortSignal }): Promise<UploadedPart[]>;

  /** Release sockets and timers. */
  close?(): Promise<void>;
}
