import type { Readable } from 'node:stream';
import type { StowageError } from '../errors/stowage-error.js';
import type { RetryOptions } from '../layers/retry-policy.js';
import type { StorageUri } from '../uri/storage-uri.js';
import type { CallOptions } from './call-options.js';
import type { Capabilities } from './capabilities.js';

/**
 * Digests of an object, base64 (as S3 reports them) except `md5Hex`. A value ending in `-N` is a
 * multipart composite: it describes the parts, not the bytes, and is never compared with a digest.
 */
export interface Checksums {
  /** SHA-256, base64. */
  sha256?: string;
  /** CRC32, base64 of the big-endian 4 bytes. */
  crc32?: string;
  /** CRC32C, base64; compared when both sides report it, never computed locally. */
  crc32c?: string;
  /** SHA-1, base64. */
  sha1?: string;
  /** MD5 as lower-case hex (an S3 single-part ETag, HTTP `Content-MD5` converted). */
  md5Hex?: string;
}

/** What `stat` returns. */
export interface ObjectStat {
  /** The object asked about. */
  uri: StorageUri;
  /** Size in bytes. */
  size: number;
  /** Strong or weak validator; changes when the content changes. */
  etag?: string;
  /** When the object was last written, as the backend reports it. */
  lastModified?: Date;
  /** MIME type stored with the object, where the backend keeps one. */
  contentType?: string;
  /** User metadata stored with the object, keys lower-case. */
  metadata?: Record<string, string>;
  /** Digests the backend reports for the object (possibly composite, see {@link Checksums}). */
  checksums?: Checksums;
  /** Version id on versioned stores (S3). */
  versionId?: string;
  /** Whether the object supports ranged reads (HTTP `Accept-Ranges`). */
  acceptsRanges?: boolean;
}

/** A byte range, both ends inclusive, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  /** Offset of the first byte, from 0. */
  start: number;
  /** Inclusive end; omitted means "to the end of the object". */
  end?: number;
}

/** Options of `stat`. */
export interface StatOptions extends CallOptions {}

/** Options of `read`. */
export interface ReadOptions extends CallOptions {
  /** Read only these bytes. */
  range?: ByteRange;
  /** Aborts the request, and ends a stream already handed out. */
  signal?: AbortSignal;
  /** Fail with `PreconditionFailedError` unless the object's ETag still equals this. */
  ifMatch?: string;
  /**
   * Fail with `PreconditionFailedError` when the object was modified after this time: the pin for
   * objects that have no ETag (an HTTP server that sends only `Last-Modified`).
   */
  ifUnmodifiedSince?: Date;
}

/** Anything `write` accepts as content. */
export type Body = Readable | Uint8Array | string | AsyncIterable<Uint8Array>;

/** Progress of one write, in bytes consumed from the body. */
export type ProgressCallback = (bytesDone: number) => void;

/** Options of `write`. */
export interface WriteOptions extends CallOptions {
  /**
   * Policy for the requests this write can send again itself (a short streamed body it buffers,
   * the parts it cuts a long one into). The retry layer sets it for bodies it cannot replay; a
   * provider that sends one unreplayable request ignores it.
   */
  retry?: RetryOptions;
  /** Size of the body when known; lets providers choose single vs multipart and verify length. */
  contentLength?: number;
  /** MIME type to store with the object (ignored by providers without `metadata`). */
  contentType?: string;
  /** User metadata to store with the object. */
  metadata?: Record<string, string>;
  /** `'*'`: fail with `PreconditionFailedError` when the object exists (create-only). */
  ifNoneMatch?: '*';
  /** Expected digests; a mismatch fails with `ChecksumMismatchError` and stores nothing. */
  checksum?: Checksums;
  /** Aborts the write; nothing is stored. */
  signal?: AbortSignal;
  /** Told the bytes consumed from the body so far, as they go. */
  onProgress?: ProgressCallback;
  /**
   * Flush to stable storage before returning (fsync of the file and its directory), for writers of
   * local files; object stores acknowledge only stored data and ignore it.
   */
  durable?: boolean;
  /**
   * The destination prefix of the tree copy this write belongs to. A local file system refuses the
   * write when a symbolic link below that prefix would carry it out (`dest/sub → ../outside`);
   * links above it, which the caller chose, are followed. Object stores have no links and ignore it.
   */
  within?: StorageUri;
}

/** What a successful write returns. */
export interface WriteResult {
  /** The object written. */
  uri: StorageUri;
  /** Bytes stored. After `completeUpload`, the sum of the part sizes known (0 when none were reported). */
  size: number;
  /** ETag of the new object, when the backend gives one. */
  etag?: string;
  /** Version id of the new object on versioned stores. */
  versionId?: string;
  /** Digests of the stored bytes, computed on the way or reported by the backend. */
  checksums?: Checksums;
}

/** One listing entry: an object, or a common prefix when the listing is delimited. */
export type Entry =
  | {
      /** An object. */
      type: 'object';
      /** The object's URI. */
      uri: StorageUri;
      /** The full key (not relative to the listed prefix). */
      key: string;
      /** Size in bytes. */
      size: number;
      /** ETag as listed, when the backend gives one. */
      etag?: string;
      /** Last write time as listed, when the backend gives one. */
      lastModified?: Date;
    }
  | {
      /** A common prefix (a "sub-directory") of a delimited listing. */
      type: 'prefix';
      /** The prefix as a URI, ending in `/`. */
      uri: StorageUri;
      /** The full prefix key, ending in `/`. */
      key: string;
    };

/** Options of `list`. */
export interface ListOptions extends CallOptions {
  /** Descend into "sub-directories"; otherwise group them at `/` as `prefix` entries. Default false. */
  recursive?: boolean;
  /** Page size the provider asks its backend for; iteration hides the pages. */
  pageSize?: number;
  /**
   * Only entries whose key sorts after this one (S3's `StartAfter`): how a listing that failed
   * half-way continues where it stopped (the retry layer does so) instead of starting over.
   */
  startAfter?: string;
  /** Stops the listing; iteration throws `AbortedError`. */
  signal?: AbortSignal;
  /**
   * Told about a part of the listing that cannot be read (an unreadable sub-directory on disk, as
   * `<prefix>/`, or file), with its typed error; the listing then goes on without it. Without this
   * option such a part fails the whole listing. Tree copies use it so that one unreadable
   * directory fails on its own.
   */
  onUnreadable?: (part: StorageUri, error: StowageError) => void;
}

/** The outcome of one key in `deleteMany`. */
export interface DeleteOutcome {
  /** The object this outcome is for. */
  uri: StorageUri;
  /** Present when this key failed; the others still went through. */
  error?: Error;
}

/** Options of `delete`/`deleteMany`. */
export interface DeleteOptions extends CallOptions {}

/** Options of a server-side `copy`. */
export interface CopyObjectOptions extends CallOptions {
  /** Aborts the copy. */
  signal?: AbortSignal;
  /** Fail with PreconditionFailed when the source's ETag is no longer this. */
  ifMatch?: string;
  /** User metadata for the copy. Default: the source's. */
  metadata?: Record<string, string>;
  /** MIME type for the copy. Default: the source's. */
  contentType?: string;
  /** The destination prefix of the tree copy this copy belongs to (see {@link WriteOptions.within}). */
  within?: StorageUri;
}

/** Options of `presign`. */
export interface PresignOptions {
  /** What the URL allows. Default `'GET'`. */
  method?: 'GET' | 'PUT';
  /** Lifetime in seconds. */
  expiresIn?: number;
  /** For `PUT`: the `Content-Type` the upload must send (it is signed). */
  contentType?: string;
}

/** A multipart upload in progress. */
export interface UploadHandle {
  /** The object the upload will create. */
  uri: StorageUri;
  /** The backend's id of the upload (S3 `UploadId`). */
  uploadId: string;
}

/** One uploaded part. */
export interface UploadedPart {
  /** Part number, from 1. */
  partNumber: number;
  /** ETag the backend gave the part; `completeUpload` needs it. */
  etag: string;
  /** Bytes in the part, when known. */
  size?: number;
  /** SHA-256 of the part, base64, when the backend computed one. */
  checksumSha256?: string;
  /** CRC32 of the part, base64, when the backend computed one. */
  checksumCrc32?: string;
}

/** Options of the multipart hooks. */
export interface MultipartOptions extends CallOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** MIME type of the object the upload creates. */
  contentType?: string;
  /** User metadata of the object the upload creates. */
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
  /**
   * Parse this provider's own URI syntax, for its schemes only, on the `Storage` it joins (other
   * storages do not know it). Without it, its URIs parse in the generic forms of `parseUri`.
   * @throws InvalidUriError naming the rule the input breaks.
   */
  parseUri?(input: string): StorageUri;
  /** What this provider supports; methods outside it throw `UnsupportedOperationError`. */
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
    options?: CallOptions & { contentLength?: number },
  ): Promise<UploadedPart>;
  /** Finish a multipart upload with its parts in order. */
  completeUpload?(handle: UploadHandle, parts: UploadedPart[], options?: CallOptions): Promise<WriteResult>;
  /** Abort a multipart upload and free its parts. */
  abortUpload?(handle: UploadHandle, options?: CallOptions): Promise<void>;
  /** Parts already uploaded (for resuming). */
  listParts?(handle: UploadHandle, options?: CallOptions): Promise<UploadedPart[]>;

  /** Release sockets and timers. */
  close?(): Promise<void>;
}
