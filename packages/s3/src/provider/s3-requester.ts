import {
  type CallNotice,
  type Capabilities,
  displayUri,
  type StorageUri,
  toAbortedError,
  unsupported,
} from '@stowage/core';
import type { CredentialBridge } from './credential-bridge.js';
import { defined } from './defined.js';
import type { RegionCache } from './region-cache.js';
import type { S3ClientFactory } from './s3-client-factory.js';
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

/** The RequestPayer value of a request: set once someone agreed to pay. */
export type Payer = 'requester' | undefined;
/** Builds the command, again on each retry, with the payer decided so far. */
export type Build = (payer: Payer) => unknown;

/** What `S3Requester.send` needs to know about a request besides the command. */
export interface SendContext {
  /** The object (or bucket, with an empty key) the request is about: picks the region, names errors. */
  uri: StorageUri;
  /** The operation in words, for errors (`stat`, `read`, `complete upload`, …). */
  operation: string;
  /** Aborts the request and every recovery; the call rejects with `AbortedError`. */
  signal?: AbortSignal;
  /** Told about each recovery (region redirect, credential refresh, requester pays, unsigned read). */
  notify?: (notice: CallNotice) => void;
  /** The command can be sent again as is (no one-shot stream body). Default true. */
  replayable?: boolean;
  /** A read: may fall back to unsigned after a 403 when the option allows. */
  read?: boolean;
  /** The caller (e.g. the router, for a requester-pays decision) agreed to pay for this request. */
  requesterPays?: boolean;
}

/** What an {@link S3Requester} is built from; the provider settles these once, in its constructor. */
export interface S3RequesterParts {
  /** The provider's options, as given. */
  options: S3ProviderOptions;
  /** The provider name errors carry. */
  provider: string;
  /** The region of a bucket not in `regionCache`. */
  region: string;
  /** Send every request unsigned. */
  anonymous: boolean;
  /** Builds the per-region clients. */
  factory: S3ClientFactory;
  /** Credentials for signed clients; undefined when anonymous. */
  bridge: CredentialBridge | undefined;
  /** Bucket regions learnt so far (shared with the provider). */
  regionCache: RegionCache;
  /** The provider's capabilities, for refusing switched-off features. */
  capabilities: Readonly<Capabilities>;
}

/**
 * What every S3 operation shares: the provider's settings, its clients and credentials, and
 * {@link S3Requester.send}, which adds the recoveries to each command.
 */
export class S3Requester {
  /** The provider's options, as given. */
  readonly options: S3ProviderOptions;
  /** The provider name errors carry. */
  readonly name: string;
  /** The region of a bucket not in `regionCache`. */
  readonly region: string;
  /** Every request goes unsigned. */
  readonly anonymous: boolean;
  /** Builds the per-region clients. */
  readonly factory: S3ClientFactory;
  /** Credentials for signed clients; undefined when anonymous. */
  readonly bridge: CredentialBridge | undefined;
  /** Bucket regions learnt so far (shared with the provider). */
  readonly regionCache: RegionCache;
  /** The provider's capabilities. */
  readonly capabilities: Readonly<Capabilities>;

  constructor(parts: S3RequesterParts) {
    this.options = parts.options;
    this.name = parts.provider;
    this.region = parts.region;
    this.anonymous = parts.anonymous;
    this.factory = parts.factory;
    this.bridge = parts.bridge;
    this.regionCache = parts.regionCache;
    this.capabilities = parts.capabilities;
  }

  /**
   * Refuse a URI S3 would reject, before any request: a bad bucket name or a key over 1,024 bytes
   * (InvalidUriError), a version id without versioning (UnsupportedOperationError), and with
   * `object` an empty key (InvalidUriError).
   */
  check(uri: StorageUri, object = true): void {
    checkS3Uri(uri, {
      provider: this.name,
      ...(this.options.bucketNames === undefined ? {} : { rules: this.options.bucketNames }),
      ...(this.options.versioning === undefined ? {} : { versioning: this.options.versioning }),
    });
    if (object) checkObjectUri(uri, this.name);
  }

  /** The S3 checksum to send with writes (default `CRC32`); undefined when `checksumAlgorithm: 'off'`. */
  get checksumAlgorithm(): 'CRC32' | 'SHA256' | undefined {
    const algorithm = this.options.checksumAlgorithm ?? 'CRC32';
    return algorithm === 'off' ? undefined : algorithm;
  }

  /** Whether a body sent whole needs Content-MD5: unsigned requests without an S3 checksum. */
  needsContentMd5(algorithm: string | undefined): boolean {
    return algorithm === undefined && this.anonymous;
  }

  /** The region to send `bucket`'s requests to: learnt, else the provider's. */
  regionOf(bucket: string): string {
    return this.regionCache.get(bucket) ?? this.region;
  }

  /**
   * Send one command with the provider's recoveries: follow a wrong-region answer (and remember
   * it), refresh expired credentials once, add the request-payer header after a 403 when allowed,
   * fall back to unsigned reads when allowed. Everything else is mapped to a typed error.
   */
  async send<O>(
    context: SendContext,
    build: Build,
  ): Promise<{
    /** The command's output. */
    output: O;
    /** Set when the answer came from an unsigned retry after a 403: why. */
    unsignedFallback?: string;
  }> {
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
        const where = displayUri(uri);
        if (elsewhere && elsewhere !== region && !tried.region) {
          tried.region = true;
          this.regionCache.set(uri.bucket, elsewhere);
          context.notify?.({
            type: 'warning',
            code: 'region-redirect',
            message: `Bucket ${uri.bucket} is in ${elsewhere}, not ${region}: ${context.operation} ${where} sent there`,
          });
          region = elsewhere;
          if (replayable) continue;
        }
        if (isExpiredCredentialsError(error) && this.bridge && !unsigned && !tried.refresh) {
          tried.refresh = true;
          await this.bridge.forceRefresh();
          context.notify?.({
            type: 'warning',
            code: 'credentials-refreshed',
            message: `The credentials had expired for ${context.operation} ${where}; refreshed them`,
          });
          if (replayable) continue;
        }
        if (isForbidden(error) && !unsigned) {
          if (!payer && this.options.retryWithRequestPayer && replayable && !tried.payer) {
            tried.payer = true;
            payer = 'requester';
            context.notify?.({
              type: 'warning',
              code: 'requester-pays',
              message: `${context.operation} ${where} was refused; sent again agreeing to pay (retryWithRequestPayer)`,
            });
            continue;
          }
          if (context.read && this.options.unsignedReadFallback) {
            unsigned = true;
            unsignedFallback = `the signed request was refused (HTTP ${s3ErrorStatus(error) ?? 403}${
              s3ErrorHeader(error, 'x-amz-request-id')
                ? `, request id ${s3ErrorHeader(error, 'x-amz-request-id')}`
                : ''
            }); the object was read without signing because unsignedReadFallback is on`;
            context.notify?.({
              type: 'warning',
              code: 'unsigned-fallback',
              message: `${where}: ${unsignedFallback}`,
            });
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
  checkConditional(option: string, uri: StorageUri): void {
    if (!this.capabilities.conditionalWrite) {
      throw unsupported(this.name, `${option} (created with conditionalWrites: false)`, uri);
    }
  }

  /** Refuse the public multipart hooks when they are switched off. */
  checkMultipart(operation: string, uri: StorageUri): void {
    if (!this.capabilities.multipart) {
      throw unsupported(this.name, `${operation} (created with multipartHooks: false)`, uri);
    }
  }

  /** Encryption and storage-class parameters every object write carries, from the options. */
  writeExtras(): Record<string, unknown> {
    const sse = this.options.serverSideEncryption;
    return defined({
      ServerSideEncryption: sse?.type,
      SSEKMSKeyId: sse?.type === 'aws:kms' ? sse.keyId : undefined,
      BucketKeyEnabled: sse?.type === 'aws:kms' ? sse.bucketKeyEnabled : undefined,
      StorageClass: this.options.storageClass,
    });
  }
}
