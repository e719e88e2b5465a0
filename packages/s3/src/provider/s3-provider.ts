import {
  type Body,
  BufferPool,
  type CallOptions,
  type Capabilities,
  type CopyObjectOptions,
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_SIZE,
  type DeleteOptions,
  type DeleteOutcome,
  type Entry,
  InvalidArgumentError,
  type ListOptions,
  type MultipartOptions,
  type PresignOptions,
  type Provider,
  type StorageUri,
  type UploadedPart,
  type UploadHandle,
  type WriteOptions,
  type WriteResult,
} from '@stowage/core';
import { resolveAwsRegion } from '../credentials/aws-region.js';
import { CredentialBridge } from './credential-bridge.js';
import { defaultCredentialSource } from './default-credentials.js';
import type { S3ReadStream } from './read-body.js';
import { RegionCache } from './region-cache.js';
import { locateBucket } from './s3-bucket-region.js';
import { checkEndpoint, checkRegion, S3ClientFactory } from './s3-client-factory.js';
import { copyWithinS3 } from './s3-copy.js';
import { deleteObject, deleteObjects } from './s3-deletion.js';
import { S3_LIMITS } from './s3-limits.js';
import { listObjects } from './s3-listing.js';
import { createUpload, finishUpload, listParts, sendAbort, sendPart } from './s3-multipart.js';
import {
  readObject,
  type S3ObjectStat,
  type S3ReadOptions,
  type S3StatOptions,
  statObject,
} from './s3-object-read.js';
import { writeObject } from './s3-object-write.js';
import {
  type PresignedMultipartUpload,
  type PresignMultipartOptions,
  presignMultipartUpload,
  presignObject,
  presignUploadParts,
} from './s3-presign.js';
import type { S3ProviderOptions } from './s3-provider-options.js';
import { S3Requester } from './s3-requester.js';
import type { TransferSettings } from './transfer-settings.js';

/**
 * `s3://bucket/key`: AWS S3 and S3-compatible stores (MinIO, Ceph, R2, local servers) through
 * `@aws-sdk/client-s3`. A thin translation: retries beyond the SDK's own, timeouts and logging live
 * in core layers. Errors are mapped onto the core taxonomy with the SDK error as `cause`.
 */
export class S3Provider implements Provider {
  readonly name = 's3';
  readonly schemes = ['s3'] as const;
  /** All on, except as `multipartHooks`, `versioning`, `conditionalWrites` say; no presign if anonymous. */
  readonly capabilities: Readonly<Capabilities>;
  /** What this provider has learned about bucket regions. */
  readonly regionCache = new RegionCache();
  private readonly requester: S3Requester;
  private readonly transfer: TransferSettings;

  constructor(options: S3ProviderOptions = {}) {
    checkEndpoint(options.endpoint);
    for (const [name, value, min] of [
      // Any positive size: the one part-size rule fits it to S3's limits when parts are cut.
      ['partSize', options.partSize, 1],
      ['multipartThreshold', options.multipartThreshold, 1],
      ['concurrency', options.concurrency, 1],
      ['multipartCopyThreshold', options.multipartCopyThreshold, S3_LIMITS.minPartSize!],
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
    const region =
      options.region ??
      regionFromConfig(options.resolveContext ?? {}) ??
      env.AWS_DEFAULT_REGION ??
      'us-east-1';
    checkRegion(
      region,
      options.region !== undefined
        ? undefined
        : region === env.AWS_DEFAULT_REGION
          ? 'AWS_DEFAULT_REGION'
          : 'the region setting of the AWS config file',
    );
    const anonymous = options.anonymous ?? false;
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    const concurrency = options.concurrency ?? 4;
    this.transfer = {
      partSize,
      threshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
      concurrency,
      copyThreshold: options.multipartCopyThreshold ?? S3_LIMITS.maxSingleWrite!,
      // Enough for the parts in flight and the one being filled (power-of-two rounded), bounded.
      pool: new BufferPool(Math.min(128 * 1024 * 1024, (concurrency + 1) * 2 * partSize)),
    };
    const bridge = anonymous
      ? undefined
      : new CredentialBridge(options.credentials ?? defaultCredentialSource(), options.resolveContext ?? {});
    const factory = new S3ClientFactory(options, bridge?.identity);
    this.capabilities = Object.freeze({
      read: true,
      write: true,
      list: true,
      delete: true,
      rangeRead: true,
      multipart: options.multipartHooks !== false,
      serverSideCopy: true,
      presign: !anonymous,
      versioning: options.versioning !== false,
      metadata: true,
      conditionalRead: true,
      conditionalWrite: options.conditionalWrites !== false,
      delimiters: true,
      limits: S3_LIMITS,
    });
    this.requester = new S3Requester({
      options,
      provider: this.name,
      region,
      anonymous,
      factory,
      bridge,
      regionCache: this.regionCache,
      capabilities: this.capabilities,
    });
  }

  // ---------------------------------------------------------------- stat / read / write

  async stat(uri: StorageUri, options: S3StatOptions = {}): Promise<S3ObjectStat> {
    return statObject(this.requester, uri, options);
  }

  async read(uri: StorageUri, options: S3ReadOptions = {}): Promise<S3ReadStream> {
    return readObject(this.requester, uri, options);
  }

  async write(uri: StorageUri, body: Body, options: WriteOptions = {}): Promise<WriteResult> {
    return writeObject(this.requester, this.transfer, uri, body, options);
  }

  // ---------------------------------------------------------------- multipart hooks

  async beginUpload(uri: StorageUri, options: MultipartOptions = {}): Promise<UploadHandle> {
    this.requester.checkMultipart('beginUpload', uri);
    return createUpload(this.requester, uri, options, this.requester.checksumAlgorithm);
  }

  async uploadPart(
    handle: UploadHandle,
    partNumber: number,
    body: Body,
    options: CallOptions & { contentLength?: number } = {},
  ): Promise<UploadedPart> {
    this.requester.checkMultipart('uploadPart', handle.uri);
    return sendPart(this.requester, handle, partNumber, body, options);
  }

  async completeUpload(
    handle: UploadHandle,
    parts: UploadedPart[],
    options: CallOptions = {},
  ): Promise<WriteResult> {
    this.requester.checkMultipart('completeUpload', handle.uri);
    return finishUpload(this.requester, handle, parts, options.signal);
  }

  async abortUpload(handle: UploadHandle, options: CallOptions = {}): Promise<void> {
    this.requester.checkMultipart('abortUpload', handle.uri);
    return sendAbort(this.requester, handle, options.signal);
  }

  async listParts(handle: UploadHandle, options: CallOptions = {}): Promise<UploadedPart[]> {
    this.requester.checkMultipart('listParts', handle.uri);
    return listParts(this.requester, handle, options);
  }

  // ---------------------------------------------------------------- list / delete

  list(prefix: StorageUri, options: ListOptions = {}): AsyncIterable<Entry> {
    return listObjects(this.requester, prefix, options);
  }

  async delete(uri: StorageUri, options: DeleteOptions = {}): Promise<void> {
    return deleteObject(this.requester, uri, options);
  }

  /**
   * Delete in DeleteObjects batches of up to 1,000 keys (one batch per bucket run). Each key gets
   * an outcome, in input order; a key S3 refused carries its typed error, the others went through.
   */
  deleteMany(
    uris: Iterable<StorageUri> | AsyncIterable<StorageUri>,
    options: DeleteOptions = {},
  ): AsyncIterable<DeleteOutcome> {
    return deleteObjects(this.requester, uris, options);
  }

  // ---------------------------------------------------------------- copy / presign

  /** Server-side copy: CopyObject, or UploadPartCopy in parts above `multipartCopyThreshold` (5 GiB). */
  async copy(
    source: StorageUri,
    destination: StorageUri,
    options: CopyObjectOptions = {},
  ): Promise<WriteResult> {
    return copyWithinS3(this.requester, this.transfer, source, destination, options);
  }

  /** A URL granting GET or PUT of the object for `expiresIn` seconds (default 3600), usable with plain `fetch`. */
  async presign(uri: StorageUri, options: PresignOptions = {}): Promise<string> {
    return presignObject(this.requester, uri, options);
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
    return presignMultipartUpload(this.requester, uri, options);
  }

  /** Presigned PUT URLs for more parts of an upload (e.g. when the first ones expired). */
  async presignUploadParts(
    handle: UploadHandle,
    partNumbers: number[],
    options: { expiresIn?: number } = {},
  ): Promise<string[]> {
    return presignUploadParts(this.requester, handle, partNumbers, options);
  }

  // ---------------------------------------------------------------- regions

  /** The region of `bucket` (HeadBucket's `x-amz-bucket-region`), cached per provider. */
  async bucketRegion(bucket: string, options: CallOptions = {}): Promise<string> {
    return locateBucket(this.requester, bucket, options);
  }

  async close(): Promise<void> {
    this.requester.factory.destroy();
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
