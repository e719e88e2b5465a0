import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CopyObjectCommand,
  type CopyObjectCommandOutput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  type HeadBucketCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  ListPartsCommand,
  type ListPartsCommandOutput,
  PutObjectCommand,
  type PutObjectCommandOutput,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandOutput,
  UploadPartCopyCommand,
  type UploadPartCopyCommandOutput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type Body,
  type Capabilities,
  type CopyObjectOptions,
  compareKeys,
  type DeleteOptions,
  type DeleteOutcome,
  displayUri,
  type Entry,
  InvalidArgumentError,
  knownLength,
  type ListOptions,
  type MultipartOptions,
  type ObjectStat,
  PreconditionFailedError,
  type PresignOptions,
  type Provider,
  type ReadOptions,
  type StatOptions,
  type StorageUri,
  TransientError,
  toAbortedError,
  toReadable,
  type UploadedPart,
  type UploadHandle,
  unsupported,
  verifyChecksums,
  verifySize,
  type WriteOptions,
  type WriteResult,
  withKey,
} from '@stowage/core';
import { resolveAwsRegion } from '../credentials/aws-region.js';
import { splitBody } from './body-parts.js';
import { BufferPool } from './buffer-pool.js';
import { CredentialBridge } from './credential-bridge.js';
import { defaultCredentialSource } from './default-credentials.js';
import { writeInParts } from './multipart-writer.js';
import { md5FromEtag, objectChecksums } from './object-checksums.js';
import { checkPartSize, MIN_PART_SIZE, partSizeFor } from './part-size.js';
import { guardReadBody, type S3ReadStream } from './read-body.js';
import { RegionCache } from './region-cache.js';
import { checkEndpoint, S3ClientFactory } from './s3-client-factory.js';
import {
  isExpiredCredentialsError,
  isForbidden,
  mapS3Error,
  redirectRegion,
  s3ErrorHeader,
  s3ErrorStatus,
} from './s3-errors.js';
import { checkObjectUri, checkS3Uri } from './s3-names.js';
import type { S3ProviderOptions } from './s3-provider-options.js';

/** `stat` of an S3 object; `unsignedFallback` says why the answer came from an unsigned request. */
export interface S3ObjectStat extends ObjectStat {
  unsignedFallback?: string;
}

/** The stream `read` returns; `unsignedFallback` says why it came from an unsigned request. */

/** A multipart upload that clients without credentials finish with presigned URLs. */
export interface PresignedMultipartUpload extends UploadHandle {
  /** `partUrls[i]` accepts `PUT` of part `i + 1`; the response's `ETag` header is the part's etag. */
  partUrls: string[];
  /** `POST` here the body of {@link completeMultipartUploadXml} to finish the upload. */
  completeUrl: string;
  /** `DELETE` here to abort the upload and free its parts. */
  abortUrl: string;
  /** When the URLs stop working. */
  expiresAt: Date;
}

/** Options of {@link S3Provider.presignMultipartUpload}. */
export interface PresignMultipartOptions {
  /** Number of parts the client will send (1 to 10,000). */
  parts: number;
  /** Lifetime of every URL, in seconds. Default 3600. */
  expiresIn?: number;
  contentType?: string;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

type Payer = 'requester' | undefined;
type Build = (payer: Payer) => unknown;

interface SendContext {
  uri: StorageUri;
  operation: string;
  signal?: AbortSignal;
  /** The command can be sent again as is (no one-shot stream body). Default true. */
  replayable?: boolean;
  /** A read: may fall back to unsigned after a 403 when the option allows. */
  read?: boolean;
  /** The caller (e.g. the router, for a requester-pays decision) agreed to pay for this request. */
  requesterPays?: boolean;
}

const DEFAULT_THRESHOLD = 16 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const FIVE_GIB = 5 * 1024 ** 3;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

function encodeCopySource(uri: StorageUri): string {
  const key = uri.key.split('/').map(encodeURIComponent).join('/');
  const version = uri.versionId === undefined ? '' : `?versionId=${encodeURIComponent(uri.versionId)}`;
  return `${uri.bucket}/${key}${version}`;
}

function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/**
 * How to cut a ranged response down to the asked-for bytes. HTTP lets a server ignore `Range`
 * (a 200 with the whole object) or send more than asked (s3rver ignores an end of 0); either way
 * the caller gets exactly the range it asked for.
 */
function rangeWindow(
  range: { start: number; end?: number },
  contentRange: string | undefined,
  where: string,
): { skip: number; take: number | undefined } {
  const wanted = range.end === undefined ? undefined : range.end - range.start + 1;
  const match = contentRange ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange) : null;
  if (!match) return { skip: range.start, take: wanted };
  const first = Number(match[1]);
  if (first !== range.start) {
    throw new TransientError(
      `read ${where}: asked for bytes from ${range.start}, the server sent ${contentRange}`,
      {
        uri: where,
      },
    );
  }
  return { skip: 0, take: wanted };
}

/**
 * `s3://bucket/key`: AWS S3 and S3-compatible stores (MinIO, Ceph, R2, local servers) through
 * `@aws-sdk/client-s3`. A thin translation: retries beyond the SDK's own, timeouts and logging live
 * in core layers. Errors are mapped onto the core taxonomy with the SDK error as `cause`.
 */
export class S3Provider implements Provider {
  readonly name = 's3';
  readonly schemes = ['s3'] as const;
  readonly capabilities: Readonly<Capabilities>;
  /** What this provider has learned about bucket regions. */
  readonly regionCache = new RegionCache();
  private readonly factory: S3ClientFactory;
  private readonly bridge: CredentialBridge | undefined;
  private readonly region: string;
  private readonly anonymous: boolean;
  private readonly partSize: number;
  private readonly threshold: number;
  private readonly concurrency: number;
  private readonly copyThreshold: number;
  private readonly pool: BufferPool;

  constructor(private readonly options: S3ProviderOptions = {}) {
    checkEndpoint(options.endpoint);
    if (options.partSize !== undefined) checkPartSize(options.partSize);
    for (const [name, value, min] of [
      ['multipartThreshold', options.multipartThreshold, 1],
      ['concurrency', options.concurrency, 1],
      ['multipartCopyThreshold', options.multipartCopyThreshold, MIN_PART_SIZE],
      ['maxSockets', options.maxSockets, 1],
      ['maxAttempts', options.maxAttempts, 1],
    ] as const) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
        throw new InvalidArgumentError(`${name} must be an integer of at least ${min}, got ${value}`);
      }
    }
    if (
      options.checksumAlgorithm !== undefined &&
      !['CRC32', 'SHA256', 'off'].includes(options.checksumAlgorithm)
    ) {
      throw new InvalidArgumentError(
        `checksumAlgorithm "${options.checksumAlgorithm}" is not one of CRC32, SHA256, off`,
      );
    }
    if (options.anonymous && options.credentials) {
      throw new InvalidArgumentError('anonymous: true and credentials exclude each other; pass one');
    }
    const env = options.resolveContext?.env ?? process.env;
    // botocore's client region order: explicit → AWS_DEFAULT_REGION → the profile's `region`.
    this.region =
      options.region ??
      regionFromConfig(options.resolveContext ?? {}) ??
      env.AWS_DEFAULT_REGION ??
      'us-east-1';
    this.anonymous = options.anonymous ?? false;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.threshold = options.multipartThreshold ?? DEFAULT_THRESHOLD;
    this.concurrency = options.concurrency ?? 4;
    this.copyThreshold = options.multipartCopyThreshold ?? FIVE_GIB;
    // Enough for the parts in flight and the one being filled (power-of-two rounded), bounded.
    this.pool = new BufferPool(Math.min(128 * 1024 * 1024, (this.concurrency + 1) * 2 * this.partSize));
    this.bridge = this.anonymous
      ? undefined
      : new CredentialBridge(options.credentials ?? defaultCredentialSource(), options.resolveContext ?? {});
    this.factory = new S3ClientFactory(options, this.bridge?.identity);
    this.capabilities = Object.freeze({
      read: true,
      write: true,
      list: true,
      delete: true,
      rangeRead: true,
      multipart: options.multipartHooks !== false,
      serverSideCopy: true,
      presign: !this.anonymous,
      versioning: options.versioning !== false,
      metadata: true,
      conditionalWrite: options.conditionalWrites !== false,
    });
  }

  // ---------------------------------------------------------------- requests

  private check(uri: StorageUri, object = true): void {
    checkS3Uri(uri, {
      provider: this.name,
      ...(this.options.bucketNames === undefined ? {} : { rules: this.options.bucketNames }),
      ...(this.options.versioning === undefined ? {} : { versioning: this.options.versioning }),
    });
    if (object) checkObjectUri(uri, this.name);
  }

  private get checksumAlgorithm(): 'CRC32' | 'SHA256' | undefined {
    const algorithm = this.options.checksumAlgorithm ?? 'CRC32';
    return algorithm === 'off' ? undefined : algorithm;
  }

  private regionOf(bucket: string): string {
    return this.regionCache.get(bucket) ?? this.region;
  }

  /**
   * Send one command with the provider's recoveries: follow a wrong-region answer (and remember
   * it), refresh expired credentials once, add the request-payer header after a 403 when allowed,
   * fall back to unsigned reads when allowed. Everything else is mapped to a typed error.
   */
  private async send<O>(
    context: SendContext,
    build: Build,
  ): Promise<{ output: O; unsignedFallback?: string }> {
    const { uri, signal } = context;
    const replayable = context.replayable ?? true;
    let region = this.regionOf(uri.bucket);
    let payer: Payer = this.options.requestPayer || context.requesterPays ? 'requester' : undefined;
    let unsigned = this.anonymous;
    let unsignedFallback: string | undefined;
    const tried = { region: false, refresh: false, payer: false };
    for (;;) {
      if (signal?.aborted) throw toAbortedError(signal.reason, `${context.operation} ${displayUri(uri)}`);
      try {
        const client = this.factory.client(region, unsigned);
        const output = await (client.send as (command: unknown, options?: unknown) => Promise<O>)(
          build(payer),
          signal ? { abortSignal: signal } : undefined,
        );
        return unsignedFallback === undefined ? { output } : { output, unsignedFallback };
      } catch (error) {
        if (signal?.aborted) throw toAbortedError(signal.reason, `${context.operation} ${displayUri(uri)}`);
        const elsewhere = this.options.followRegionRedirects === false ? undefined : redirectRegion(error);
        if (elsewhere && elsewhere !== region && !tried.region) {
          tried.region = true;
          this.regionCache.set(uri.bucket, elsewhere);
          region = elsewhere;
          if (replayable) continue;
        }
        if (isExpiredCredentialsError(error) && this.bridge && !unsigned && !tried.refresh) {
          tried.refresh = true;
          await this.bridge.forceRefresh();
          if (replayable) continue;
        }
        if (isForbidden(error) && !unsigned) {
          if (!payer && this.options.retryWithRequestPayer && replayable && !tried.payer) {
            tried.payer = true;
            payer = 'requester';
            continue;
          }
          if (context.read && this.options.unsignedReadFallback) {
            unsigned = true;
            unsignedFallback = `the signed request was refused (HTTP ${s3ErrorStatus(error) ?? 403}${
              s3ErrorHeader(error, 'x-amz-request-id')
                ? `, request id ${s3ErrorHeader(error, 'x-amz-request-id')}`
                : ''
            }); the object was read without signing because unsignedReadFallback is on`;
            continue;
          }
        }
        const mapped = mapS3Error(error, {
          operation: context.operation,
          uri: displayUri(uri),
          bucket: uri.bucket,
          provider: this.name,
          requestPayer: payer !== undefined,
          anonymous: unsigned,
        });
        // A stream body cannot be resent here; after a refresh the caller's retry will work.
        if (tried.refresh && !replayable && mapped instanceof Error && 'retryable' in mapped) {
          Object.defineProperty(mapped, 'retryable', { value: true });
        }
        throw mapped;
      }
    }
  }

  /** Refuse a condition the store would silently ignore (it would make "create only" a lie). */
  private checkConditional(option: string, uri: StorageUri): void {
    if (!this.capabilities.conditionalWrite) {
      throw unsupported(this.name, `${option} (created with conditionalWrites: false)`, uri);
    }
  }

  /** Refuse the public multipart hooks when they are switched off. */
  private checkMultipart(operation: string, uri: StorageUri): void {
    if (!this.capabilities.multipart) {
      throw unsupported(this.name, `${operation} (created with multipartHooks: false)`, uri);
    }
  }

  private writeExtras(): Record<string, unknown> {
    const sse = this.options.serverSideEncryption;
    return defined({
      ServerSideEncryption: sse?.type,
      SSEKMSKeyId: sse?.type === 'aws:kms' ? sse.keyId : undefined,
      BucketKeyEnabled: sse?.type === 'aws:kms' ? sse.bucketKeyEnabled : undefined,
      StorageClass: this.options.storageClass,
    });
  }

  // ---------------------------------------------------------------- stat / read

  async stat(uri: StorageUri, options: StatOptions = {}): Promise<S3ObjectStat> {
    this.check(uri);
    const { output, unsignedFallback } = await this.send<HeadObjectCommandOutput>(
      {
        uri,
        operation: 'stat',
        read: true,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.requesterPays ? { requesterPays: true } : {}),
      },
      (payer) =>
        new HeadObjectCommand(
          defined({
            Bucket: uri.bucket,
            Key: uri.key,
            VersionId: uri.versionId,
            RequestPayer: payer,
            ChecksumMode: this.checksumAlgorithm ? ('ENABLED' as const) : undefined,
          }),
        ),
    );
    const checksums = objectChecksums(output);
    return {
      uri,
      size: output.ContentLength ?? 0,
      acceptsRanges: true,
      metadata: { ...(output.Metadata ?? {}) },
      checksums,
      ...defined({
        etag: output.ETag,
        lastModified: output.LastModified,
        contentType: output.ContentType,
        versionId: output.VersionId,
        unsignedFallback,
      }),
    };
  }

  async read(uri: StorageUri, options: ReadOptions = {}): Promise<S3ReadStream> {
    this.check(uri);
    const range = options.range;
    if (range) {
      const { start, end } = range;
      if (
        !Number.isSafeInteger(start) ||
        start < 0 ||
        (end !== undefined && (!Number.isSafeInteger(end) || end < start))
      ) {
        throw new InvalidArgumentError(`Invalid byte range ${start}-${end ?? ''} for ${displayUri(uri)}`, {
          uri: displayUri(uri),
        });
      }
    }
    // "bytes=0-" is the whole object: ask without a Range (an empty object has no byte 0 to range over).
    const wholeObject = range !== undefined && range.start === 0 && range.end === undefined;
    if (options.ifMatch !== undefined) this.checkConditional('ifMatch', uri);
    const get = (withRange: boolean) =>
      this.send<GetObjectCommandOutput>(
        {
          uri,
          operation: 'read',
          read: true,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.requesterPays ? { requesterPays: true } : {}),
        },
        (payer) =>
          new GetObjectCommand(
            defined({
              Bucket: uri.bucket,
              Key: uri.key,
              VersionId: uri.versionId,
              RequestPayer: payer,
              IfMatch: options.ifMatch,
              Range:
                withRange && range && !wholeObject ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
              // Whole-object reads are checked against the stored checksum by the SDK.
              ChecksumMode:
                this.checksumAlgorithm && (!(withRange && range) || wholeObject)
                  ? ('ENABLED' as const)
                  : undefined,
            }),
          ),
      );
    let answer: Awaited<ReturnType<typeof get>>;
    let ranged = true;
    try {
      answer = await get(true);
    } catch (error) {
      // S3 answers 416 to "bytes=0-" on an empty object; that read is simply empty.
      if (
        range?.start === 0 &&
        (error as { cause?: unknown }).cause &&
        s3ErrorStatus((error as { cause: unknown }).cause) === 416
      ) {
        ranged = false;
        answer = await get(false);
      } else throw error;
    }
    const { output, unsignedFallback } = answer;
    const window =
      range && !wholeObject ? rangeWindow(range, output.ContentRange, displayUri(uri)) : undefined;
    const body = guardReadBody({
      where: displayUri(uri),
      provider: this.name,
      body: output.Body as Readable,
      length: output.ContentLength,
      window,
      signal: options.signal,
      refetch: async () => (await get(ranged)).output.Body as Readable,
    });
    if (unsignedFallback !== undefined) body.unsignedFallback = unsignedFallback;
    if (output.ContentLength !== undefined)
      body.contentLength = window?.take ?? Math.max(0, output.ContentLength - (window?.skip ?? 0));
    return body;
  }

  // ---------------------------------------------------------------- write

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    this.check(uri);
    const where = displayUri(uri);
    if (options.ifNoneMatch !== undefined) this.checkConditional('ifNoneMatch', uri);
    const length = options.contentLength ?? knownLength(body);
    if (
      options.contentLength !== undefined &&
      (!Number.isSafeInteger(options.contentLength) || options.contentLength < 0)
    ) {
      throw new InvalidArgumentError(`contentLength ${options.contentLength} is not a byte count`, {
        uri: where,
      });
    }
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      if (data.byteLength < this.threshold)
        return this.putSingle(uri, Buffer.from(data.buffer, data.byteOffset, data.byteLength), options);
    }
    const source = toReadable(body);
    const abort = () => source.destroy();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (length !== undefined && length >= this.threshold) {
        return await this.putInParts(uri, source, length, options);
      }
      const split = await splitBody(source, this.threshold);
      if (split.ended) {
        const data = split.head.length === 1 ? split.head[0]! : this.pool.gather(split.head, split.headBytes);
        const result = await this.putSingle(uri, data, options);
        this.pool.release(data);
        return result;
      }
      return await this.putInParts(uri, split.all, length, options);
    } catch (error) {
      if (options.signal?.aborted) throw toAbortedError(options.signal.reason, `write to ${where}`);
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** Whether a body sent whole needs Content-MD5: unsigned requests without an S3 checksum. */
  private needsContentMd5(algorithm: string | undefined): boolean {
    return algorithm === undefined && this.anonymous;
  }

  private async putSingle(uri: StorageUri, data: Buffer, options: WriteOptions): Promise<WriteResult> {
    const where = displayUri(uri);
    verifySize(options.contentLength, data.length, where);
    const algorithm = this.checksumAlgorithm;
    // SHA-256 costs as much CPU as the upload itself on fast links: only when something checks it.
    const sha256 =
      options.checksum?.sha256 !== undefined || algorithm === 'SHA256'
        ? createHash('sha256').update(data).digest('base64')
        : undefined;
    // A signed request carries the body's SHA-256 (SigV4's payload hash), which S3 checks, and an
    // S3 checksum protects it too: Content-MD5 is then the same protection paid for twice.
    const md5 =
      options.checksum?.md5Hex !== undefined || this.needsContentMd5(algorithm)
        ? createHash('md5').update(data)
        : undefined;
    const md5Hex = md5?.copy().digest('hex');
    verifyChecksums(options.checksum, defined({ sha256, md5Hex }), where);
    const { output } = await this.send<PutObjectCommandOutput>(
      { uri, operation: 'write', ...(options.signal ? { signal: options.signal } : {}) },
      (payer) =>
        new PutObjectCommand(
          defined({
            Bucket: uri.bucket,
            Key: uri.key,
            Body: data,
            ContentLength: data.length,
            ContentMD5: algorithm ? undefined : md5?.digest('base64'),
            ContentType: options.contentType,
            Metadata: options.metadata,
            IfNoneMatch: options.ifNoneMatch,
            RequestPayer: payer,
            ChecksumAlgorithm: algorithm,
            ChecksumSHA256: algorithm === 'SHA256' ? sha256 : undefined,
            ...this.writeExtras(),
          }),
        ),
    );
    options.onProgress?.(data.length);
    return {
      uri,
      size: data.length,
      checksums: defined({
        sha256,
        md5Hex: md5Hex ?? (output.ServerSideEncryption === 'aws:kms' ? undefined : md5FromEtag(output.ETag)),
        crc32: output.ChecksumCRC32,
      }),
      ...defined({ etag: output.ETag, versionId: output.VersionId }),
    };
  }

  private putInParts(
    uri: StorageUri,
    body: AsyncIterable<Buffer | Uint8Array>,
    length: number | undefined,
    options: WriteOptions,
  ): Promise<WriteResult> {
    const partSize = partSizeFor(length, this.partSize);
    return writeInParts(
      {
        begin: () =>
          this.createUpload(
            uri,
            defined({ signal: options.signal, contentType: options.contentType, metadata: options.metadata }),
            this.checksumAlgorithm,
          ),
        part: (handle, number, buffer, signal) => this.sendPart(handle, number, buffer, { signal }),
        complete: (handle, parts) => this.finishUpload(handle, parts, options.signal, options.ifNoneMatch),
        abort: (handle) => this.sendAbort(handle, AbortSignal.timeout(30_000)),
      },
      {
        body: body as AsyncIterable<Buffer>,
        partSize,
        concurrency: this.concurrency,
        where: displayUri(uri),
        ...defined({
          contentLength: options.contentLength,
          expected: options.checksum,
          signal: options.signal,
          onProgress: options.onProgress,
        }),
        pool: this.pool,
      },
    );
  }

  // ---------------------------------------------------------------- multipart hooks

  async beginUpload(uri: StorageUri, options: MultipartOptions = {}): Promise<UploadHandle> {
    this.checkMultipart('beginUpload', uri);
    return this.createUpload(uri, options, this.checksumAlgorithm);
  }

  private async createUpload(
    uri: StorageUri,
    options: MultipartOptions,
    algorithm: 'CRC32' | 'SHA256' | undefined,
  ): Promise<UploadHandle> {
    this.check(uri);
    const { output } = await this.send<CreateMultipartUploadCommandOutput>(
      { uri, operation: 'begin upload', ...defined({ signal: options.signal }) },
      (payer) =>
        new CreateMultipartUploadCommand(
          defined({
            Bucket: uri.bucket,
            Key: uri.key,
            ContentType: options.contentType,
            Metadata: options.metadata,
            RequestPayer: payer,
            ChecksumAlgorithm: algorithm,
            ...this.writeExtras(),
          }),
        ),
    );
    if (!output.UploadId) {
      throw new TransientError(`begin upload ${displayUri(uri)}: the server returned no upload id`, {
        uri: displayUri(uri),
        provider: this.name,
      });
    }
    return { uri, uploadId: output.UploadId };
  }

  async uploadPart(
    handle: UploadHandle,
    partNumber: number,
    body: Body,
    options: { contentLength?: number; signal?: AbortSignal } = {},
  ): Promise<UploadedPart> {
    this.checkMultipart('uploadPart', handle.uri);
    return this.sendPart(handle, partNumber, body, options);
  }

  private async sendPart(
    handle: UploadHandle,
    partNumber: number,
    body: Body,
    options: { contentLength?: number; signal?: AbortSignal } = {},
  ): Promise<UploadedPart> {
    const uri = handle.uri;
    if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new InvalidArgumentError(`Part number ${partNumber} is outside 1..10000`, {
        uri: displayUri(uri),
      });
    }
    const bytes =
      typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? body : undefined;
    const length = bytes?.byteLength ?? options.contentLength;
    if (length === undefined) {
      throw new InvalidArgumentError(
        `uploadPart needs contentLength for a streamed part of ${displayUri(uri)}`,
        {
          uri: displayUri(uri),
        },
      );
    }
    const algorithm = this.checksumAlgorithm;
    const { output } = await this.send<UploadPartCommandOutput>(
      {
        uri,
        operation: `upload part ${partNumber} of`,
        replayable: bytes !== undefined,
        ...defined({ signal: options.signal }),
      },
      (payer) =>
        new UploadPartCommand(
          defined({
            Bucket: uri.bucket,
            Key: uri.key,
            UploadId: handle.uploadId,
            PartNumber: partNumber,
            Body: bytes ?? toReadable(body),
            ContentLength: length,
            // Only unsigned parts lack protection in transit (see putSingle).
            ContentMD5: bytes && this.needsContentMd5(algorithm) ? md5Base64(bytes) : undefined,
            ChecksumAlgorithm: algorithm,
            RequestPayer: payer,
          }),
        ),
    );
    return {
      partNumber,
      etag: output.ETag ?? '',
      size: length,
      ...defined({ checksumSha256: output.ChecksumSHA256, checksumCrc32: output.ChecksumCRC32 }),
    };
  }

  async completeUpload(
    handle: UploadHandle,
    parts: UploadedPart[],
    options: { signal?: AbortSignal } = {},
  ): Promise<WriteResult> {
    this.checkMultipart('completeUpload', handle.uri);
    return this.finishUpload(handle, parts, options.signal);
  }

  private async finishUpload(
    handle: UploadHandle,
    parts: UploadedPart[],
    signal: AbortSignal | undefined,
    ifNoneMatch?: '*',
  ): Promise<WriteResult> {
    const uri = handle.uri;
    const { output } = await this.send<CompleteMultipartUploadCommandOutput>(
      { uri, operation: 'complete upload', ...defined({ signal }) },
      (payer) =>
        new CompleteMultipartUploadCommand(
          defined({
            Bucket: uri.bucket,
            Key: uri.key,
            UploadId: handle.uploadId,
            IfNoneMatch: ifNoneMatch,
            RequestPayer: payer,
            MultipartUpload: {
              Parts: [...parts]
                .sort((a, b) => a.partNumber - b.partNumber)
                .map((p) =>
                  defined({
                    PartNumber: p.partNumber,
                    ETag: p.etag,
                    ChecksumSHA256: p.checksumSha256,
                    ChecksumCRC32: p.checksumCrc32,
                  }),
                ),
            },
          }),
        ),
    );
    const size = parts.reduce((sum, p) => sum + (p.size ?? 0), 0);
    return { uri, size, ...defined({ etag: output.ETag, versionId: output.VersionId }) };
  }

  async abortUpload(handle: UploadHandle, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.checkMultipart('abortUpload', handle.uri);
    return this.sendAbort(handle, options.signal);
  }

  private async sendAbort(handle: UploadHandle, signal: AbortSignal | undefined): Promise<void> {
    const uri = handle.uri;
    try {
      await this.send(
        { uri, operation: 'abort upload', ...defined({ signal }) },
        (payer) =>
          new AbortMultipartUploadCommand(
            defined({ Bucket: uri.bucket, Key: uri.key, UploadId: handle.uploadId, RequestPayer: payer }),
          ),
      );
    } catch (error) {
      // Already gone is what abort wants.
      if ((error as { code?: string }).code === 'NotFound') return;
      throw error;
    }
  }

  async listParts(handle: UploadHandle, options: { signal?: AbortSignal } = {}): Promise<UploadedPart[]> {
    this.checkMultipart('listParts', handle.uri);
    const uri = handle.uri;
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const { output } = await this.send<ListPartsCommandOutput>(
        { uri, operation: 'list parts of', ...defined({ signal: options.signal }) },
        (payer) =>
          new ListPartsCommand(
            defined({
              Bucket: uri.bucket,
              Key: uri.key,
              UploadId: handle.uploadId,
              PartNumberMarker: marker,
              RequestPayer: payer,
            }),
          ),
      );
      for (const p of output.Parts ?? []) {
        if (p.PartNumber === undefined) continue;
        parts.push({
          partNumber: p.PartNumber,
          etag: p.ETag ?? '',
          ...defined({ size: p.Size, checksumSha256: p.ChecksumSHA256, checksumCrc32: p.ChecksumCRC32 }),
        });
      }
      if (!output.IsTruncated || output.NextPartNumberMarker === undefined) break;
      marker = output.NextPartNumberMarker;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  // ---------------------------------------------------------------- list / delete

  async *list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    this.check(prefix, false);
    if (options.pageSize !== undefined && (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1)) {
      throw new InvalidArgumentError(`pageSize must be a positive integer, got ${options.pageSize}`);
    }
    const base: StorageUri = { scheme: prefix.scheme, bucket: prefix.bucket, key: '' };
    let token: string | undefined;
    let last: string | undefined;
    do {
      const { output } = await this.send<ListObjectsV2CommandOutput>(
        { uri: prefix, operation: 'list', read: true, ...defined({ signal: options.signal }) },
        (payer) =>
          new ListObjectsV2Command(
            defined({
              Bucket: prefix.bucket,
              Prefix: prefix.key || undefined,
              Delimiter: options.recursive ? undefined : '/',
              MaxKeys: options.pageSize,
              ContinuationToken: token,
              RequestPayer: payer,
            }),
          ),
      );
      // A page holds objects and common prefixes in separate lists; merge them back into key order.
      const page: Entry[] = [];
      for (const o of output.Contents ?? []) {
        if (o.Key === undefined) continue;
        page.push({
          type: 'object',
          key: o.Key,
          uri: withKey(base, o.Key),
          size: o.Size ?? 0,
          ...defined({ etag: o.ETag, lastModified: o.LastModified }),
        });
      }
      for (const p of output.CommonPrefixes ?? []) {
        if (p.Prefix !== undefined)
          page.push({ type: 'prefix', key: p.Prefix, uri: withKey(base, p.Prefix) });
      }
      page.sort((a, b) => compareKeys(a.key, b.key));
      // Pages continue in key order; a server that repeats an entry across pages is not believed twice.
      for (const entry of page) {
        if (last !== undefined && compareKeys(entry.key, last) <= 0) continue;
        last = entry.key;
        yield entry;
      }
      token = output.IsTruncated ? output.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(uri: StorageUri, options: DeleteOptions = {}): Promise<void> {
    this.check(uri);
    await this.send(
      { uri, operation: 'delete', ...defined({ signal: options.signal }) },
      (payer) =>
        new DeleteObjectCommand(
          defined({ Bucket: uri.bucket, Key: uri.key, VersionId: uri.versionId, RequestPayer: payer }),
        ),
    );
  }

  /**
   * Delete in DeleteObjects batches of up to 1,000 keys (one batch per bucket run). Each key gets
   * an outcome, in input order; a key S3 refused carries its typed error, the others went through.
   */
  async *deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options: DeleteOptions = {},
  ): AsyncIterable<DeleteOutcome> {
    let batch: StorageUri[] = [];
    for await (const uri of uris) {
      this.check(uri);
      if (batch.length > 0 && (batch.length >= 1000 || batch[0]!.bucket !== uri.bucket)) {
        yield* await this.deleteBatch(batch, options);
        batch = [];
      }
      batch.push(uri);
    }
    if (batch.length > 0) yield* await this.deleteBatch(batch, options);
  }

  private async deleteBatch(batch: StorageUri[], options: DeleteOptions): Promise<DeleteOutcome[]> {
    const bucket = batch[0]!.bucket;
    const at: StorageUri = { scheme: 's3', bucket, key: '' };
    let output: DeleteObjectsCommandOutput;
    try {
      ({ output } = await this.send<DeleteObjectsCommandOutput>(
        { uri: at, operation: `delete ${batch.length} objects in`, ...defined({ signal: options.signal }) },
        (payer) =>
          new DeleteObjectsCommand(
            defined({
              Bucket: bucket,
              RequestPayer: payer,
              Delete: {
                Quiet: true,
                Objects: batch.map((uri) => defined({ Key: uri.key, VersionId: uri.versionId })),
              },
            }),
          ),
      ));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return batch.map((uri) => ({ uri, error: error as Error }));
    }
    const failed = new Map<string, Error>();
    for (const e of output.Errors ?? []) {
      if (e.Key === undefined) continue;
      const uri: StorageUri = { scheme: 's3', bucket, key: e.Key };
      failed.set(
        `${e.Key}\u0000${e.VersionId ?? ''}`,
        mapS3Error(
          {
            name: e.Code ?? 'Error',
            message: e.Message,
            $fault: 'client',
            $metadata: { requestId: output.$metadata.requestId },
          },
          { operation: 'delete', uri: displayUri(uri), bucket, provider: this.name },
        ),
      );
    }
    return batch.map((uri) => {
      const error = failed.get(`${uri.key}\u0000${uri.versionId ?? ''}`) ?? failed.get(`${uri.key}\u0000`);
      return error ? { uri, error } : { uri };
    });
  }

  // ---------------------------------------------------------------- copy / presign

  /** Server-side copy: CopyObject, or UploadPartCopy in parts above `multipartCopyThreshold` (5 GiB). */
  async copy(
    source: StorageUri,
    destination: StorageUri,
    options: CopyObjectOptions = {},
  ): Promise<WriteResult> {
    this.check(source);
    this.check(destination);
    // ifMatch is checked here against HeadObject (and sent as CopySourceIfMatch), so it holds on any store.
    const head = await this.stat(source, defined({ signal: options.signal }));
    if (options.ifMatch !== undefined && head.etag !== options.ifMatch) {
      throw new PreconditionFailedError(`ETag of ${displayUri(source)} is no longer ${options.ifMatch}`, {
        uri: displayUri(source),
        provider: this.name,
      });
    }
    if (head.size > this.copyThreshold) return this.copyInParts(source, destination, head, options);
    const replace = options.metadata !== undefined || options.contentType !== undefined;
    const { output } = await this.send<CopyObjectCommandOutput>(
      { uri: destination, operation: 'copy to', ...defined({ signal: options.signal }) },
      (payer) =>
        new CopyObjectCommand(
          defined({
            Bucket: destination.bucket,
            Key: destination.key,
            CopySource: encodeCopySource(source),
            CopySourceIfMatch: options.ifMatch ?? head.etag,
            MetadataDirective: replace ? ('REPLACE' as const) : undefined,
            Metadata: replace ? (options.metadata ?? head.metadata) : undefined,
            ContentType: replace ? (options.contentType ?? head.contentType) : undefined,
            RequestPayer: payer,
            ChecksumAlgorithm: this.checksumAlgorithm,
            ...this.writeExtras(),
          }),
        ),
    );
    return {
      uri: destination,
      size: head.size,
      ...defined({ etag: output.CopyObjectResult?.ETag, versionId: output.VersionId }),
    };
  }

  private async copyInParts(
    source: StorageUri,
    destination: StorageUri,
    head: ObjectStat,
    options: CopyObjectOptions,
  ): Promise<WriteResult> {
    const partSize = partSizeFor(
      head.size,
      Math.max(this.partSize, Math.min(FIVE_GIB, Math.ceil(head.size / 10_000))),
    );
    const handle = await this.createUpload(
      destination,
      defined({
        signal: options.signal,
        contentType: options.contentType ?? head.contentType,
        metadata: options.metadata ?? head.metadata,
      }),
      this.checksumAlgorithm,
    );
    try {
      const ranges: Array<[number, number, number]> = [];
      for (let start = 0, n = 1; start < head.size; start += partSize, n++) {
        ranges.push([n, start, Math.min(head.size, start + partSize) - 1]);
      }
      const parts: UploadedPart[] = [];
      let next = 0;
      const worker = async () => {
        while (next < ranges.length) {
          const [n, start, end] = ranges[next++]!;
          const { output } = await this.send<UploadPartCopyCommandOutput>(
            { uri: destination, operation: `copy part ${n} to`, ...defined({ signal: options.signal }) },
            (payer) =>
              new UploadPartCopyCommand(
                defined({
                  Bucket: destination.bucket,
                  Key: destination.key,
                  UploadId: handle.uploadId,
                  PartNumber: n,
                  CopySource: encodeCopySource(source),
                  CopySourceRange: `bytes=${start}-${end}`,
                  CopySourceIfMatch: head.etag,
                  RequestPayer: payer,
                }),
              ),
          );
          parts.push({
            partNumber: n,
            etag: output.CopyPartResult?.ETag ?? '',
            size: end - start + 1,
            ...defined({
              checksumSha256: output.CopyPartResult?.ChecksumSHA256,
              checksumCrc32: output.CopyPartResult?.ChecksumCRC32,
            }),
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, ranges.length) }, worker));
      return await this.finishUpload(handle, parts, options.signal);
    } catch (error) {
      await this.sendAbort(handle, AbortSignal.timeout(30_000)).catch(() => undefined);
      throw error;
    }
  }

  private presignClient(bucket: string): S3Client {
    if (this.anonymous)
      throw unsupported(this.name, 'presign (an anonymous provider has no keys to sign with)');
    return this.factory.client(this.regionOf(bucket), false, 'presign');
  }

  private checkExpiry(expiresIn: number): void {
    if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
      throw new InvalidArgumentError(
        `expiresIn ${expiresIn} must be 1 to ${MAX_PRESIGN_SECONDS} seconds (7 days)`,
      );
    }
  }

  private async sign(bucket: string, command: unknown, expiresIn: number): Promise<string> {
    const client = this.presignClient(bucket);
    try {
      return await getSignedUrl(client as never, command as never, { expiresIn });
    } catch (error) {
      throw mapS3Error(error, { operation: 'presign', uri: `s3://${bucket}`, bucket, provider: this.name });
    }
  }

  /** A URL granting GET or PUT of the object for `expiresIn` seconds (default 3600), usable with plain `fetch`. */
  async presign(uri: StorageUri, options: PresignOptions = {}): Promise<string> {
    this.check(uri);
    const expiresIn = options.expiresIn ?? 3600;
    this.checkExpiry(expiresIn);
    const payer = this.options.requestPayer ? ('requester' as const) : undefined;
    const command =
      (options.method ?? 'GET') === 'GET'
        ? new GetObjectCommand(
            defined({ Bucket: uri.bucket, Key: uri.key, VersionId: uri.versionId, RequestPayer: payer }),
          )
        : new PutObjectCommand(
            defined({
              Bucket: uri.bucket,
              Key: uri.key,
              ContentType: options.contentType,
              RequestPayer: payer,
            }),
          );
    return this.sign(uri.bucket, command, expiresIn);
  }

  /**
   * Start a multipart upload that a client without credentials (a browser) finishes alone: one
   * presigned PUT URL per part, plus presigned complete and abort URLs. The upload carries no S3
   * checksum algorithm, since such clients cannot send checksum headers.
   */
  async presignMultipartUpload(
    uri: StorageUri,
    options: PresignMultipartOptions,
  ): Promise<PresignedMultipartUpload> {
    this.check(uri);
    if (!Number.isSafeInteger(options.parts) || options.parts < 1 || options.parts > 10_000) {
      throw new InvalidArgumentError(`parts must be 1 to 10000, got ${options.parts}`, {
        uri: displayUri(uri),
      });
    }
    const expiresIn = options.expiresIn ?? 3600;
    this.checkExpiry(expiresIn);
    this.presignClient(uri.bucket);
    const handle = await this.createUpload(
      uri,
      defined({ signal: options.signal, contentType: options.contentType, metadata: options.metadata }),
      undefined,
    );
    try {
      const partUrls = await this.presignUploadParts(
        handle,
        Array.from({ length: options.parts }, (_, i) => i + 1),
        { expiresIn },
      );
      const target = { Bucket: uri.bucket, Key: uri.key, UploadId: handle.uploadId };
      const [completeUrl, abortUrl] = await Promise.all([
        this.sign(uri.bucket, new CompleteMultipartUploadCommand(target), expiresIn),
        this.sign(uri.bucket, new AbortMultipartUploadCommand(target), expiresIn),
      ]);
      return {
        ...handle,
        partUrls,
        completeUrl,
        abortUrl,
        expiresAt: new Date(Date.now() + expiresIn * 1000),
      };
    } catch (error) {
      await this.sendAbort(handle, AbortSignal.timeout(30_000)).catch(() => undefined);
      throw error;
    }
  }

  /** Presigned PUT URLs for more parts of an upload (e.g. when the first ones expired). */
  async presignUploadParts(
    handle: UploadHandle,
    partNumbers: number[],
    options: { expiresIn?: number } = {},
  ): Promise<string[]> {
    const expiresIn = options.expiresIn ?? 3600;
    this.checkExpiry(expiresIn);
    const { uri } = handle;
    return Promise.all(
      partNumbers.map((n) => {
        if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) {
          throw new InvalidArgumentError(`Part number ${n} is outside 1..10000`, { uri: displayUri(uri) });
        }
        return this.sign(
          uri.bucket,
          new UploadPartCommand({
            Bucket: uri.bucket,
            Key: uri.key,
            UploadId: handle.uploadId,
            PartNumber: n,
          }),
          expiresIn,
        );
      }),
    );
  }

  // ---------------------------------------------------------------- regions

  /** The region of `bucket` (HeadBucket's `x-amz-bucket-region`), cached per provider. */
  async bucketRegion(bucket: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const known = this.regionCache.get(bucket);
    if (known) return known;
    const at: StorageUri = { scheme: 's3', bucket, key: '' };
    this.check(at, false);
    let region: string | undefined;
    try {
      const { output } = await this.send<HeadBucketCommandOutput>(
        { uri: at, operation: 'locate bucket', ...defined({ signal: options.signal }) },
        () => new HeadBucketCommand({ Bucket: bucket }),
      );
      region =
        output.BucketRegion ??
        (output.$metadata as { httpHeaders?: Record<string, string> }).httpHeaders?.['x-amz-bucket-region'];
    } catch (error) {
      // A 403 or 301 still names the region in its headers.
      const cause = (error as { cause?: unknown }).cause;
      region = s3ErrorHeader(cause, 'x-amz-bucket-region');
      if (!region) throw error;
    }
    region ??= this.region;
    this.regionCache.set(bucket, region);
    return region;
  }

  async close(): Promise<void> {
    this.factory.destroy();
  }
}

/** The region botocore would give a client here; a malformed config file is reported by the credential chain, not here. */
function regionFromConfig(context: {
  env?: Record<string, string | undefined>;
  homedir?: string;
  profile?: string;
}): string | undefined {
  try {
    return resolveAwsRegion(context);
  } catch {
    return undefined;
  }
}
