import type { CredentialSource, ResolveContext } from '@stowage/core';

/** Checksum algorithms S3 computes and stores (`x-amz-checksum-*`), or `off`. */
export type S3ChecksumAlgorithm = 'CRC32' | 'SHA256' | 'off';

/** Server-side encryption of written objects. */
export type S3ServerSideEncryption =
  | {
      /** SSE-S3: keys managed by S3. */
      type: 'AES256';
    }
  | {
      /** SSE-KMS: keys in AWS KMS. */
      type: 'aws:kms';
      /** KMS key id or ARN; omitted means the account's default `aws/s3` key. */
      keyId?: string;
      /** Cut KMS calls (and costs) with an S3 Bucket Key. */
      bucketKeyEnabled?: boolean;
    };

/** Options of {@link S3Provider}. Every field is optional; the defaults talk to AWS S3. */
export interface S3ProviderOptions {
  /**
   * Region of the client. Default, as botocore: `AWS_DEFAULT_REGION` of `resolveContext.env`/`process.env`,
   * then the selected profile's `region` in the AWS config files, else `us-east-1`. Buckets in other
   * regions are followed (see `followRegionRedirects`). A malformed name is refused at construction
   * (`InvalidArgument`; `InvalidConfig` when it came from the environment or a config file).
   */
  region?: string;
  /** Custom endpoint for S3-compatible stores (MinIO, Ceph, R2, local servers). Must be an http(s) URL. */
  endpoint?: string;
  /**
   * Address buckets in the path (`host/bucket/key`) instead of the host name. Default: true when
   * `endpoint` is given (as botocore and rclone do; S3-compatible stores rarely serve bucket host
   * names), false for AWS. Pass `false` for a store that wants virtual-hosted names.
   */
  forcePathStyle?: boolean;
  /**
   * Where credentials come from; resolved before requests and refreshed when S3 says they expired.
   * Default: the AWS default chain.
   */
  credentials?: CredentialSource;
  /** What credential sources may consult (env, home directory, profile) instead of the process's. */
  resolveContext?: ResolveContext;
  /** Send unsigned requests (public buckets); no credentials are looked up. */
  anonymous?: boolean;
  /**
   * Retry a read (stat/read/list) without signing when the signed request got a 403: public
   * objects stay readable with credentials that lack access. Off by default; never used for writes.
   * The result says when it happened (`unsignedFallback`).
   */
  unsignedReadFallback?: boolean;
  /** Send `x-amz-request-payer: requester` on every request: you pay for requests and transfer. */
  requestPayer?: boolean;
  /**
   * After a 403, retry once with the request-payer header (for requester-pays buckets whose
   * charges you accept). Off by default, so nobody pays by surprise.
   */
  retryWithRequestPayer?: boolean;
  /** Server-side encryption of written objects. */
  serverSideEncryption?: S3ServerSideEncryption;
  /** Storage class of written objects (`STANDARD`, `STANDARD_IA`, `INTELLIGENT_TIERING`, `GLACIER_IR`, …). */
  storageClass?: string;
  /**
   * Integrity checksum sent with writes and stored by S3. Default `CRC32`. `off` sends checksum
   * headers only where S3 requires them, for S3-compatible stores that reject or ignore them.
   */
  checksumAlgorithm?: S3ChecksumAlgorithm;
  /** Follow "bucket is in another region" answers and remember each bucket's region. Default true. */
  followRegionRedirects?: boolean;
  /** Objects of at least this many bytes go in multipart uploads. Default 16 MiB. */
  multipartThreshold?: number;
  /**
   * Part size of multipart uploads. Fitted to S3's limits when parts are cut (raised to 5 MiB, grown
   * to keep at most 10,000 parts), by the engine's one part-size rule. Default 8 MiB.
   */
  partSize?: number;
  /** Parts uploaded at once (memory: about concurrency × part size). Default 4. */
  concurrency?: number;
  /** Server-side copies of objects above this many bytes use UploadPartCopy. Default 5 GiB (the CopyObject limit). */
  multipartCopyThreshold?: number;
  /**
   * Attempts per request inside the AWS SDK. Default 1: Stowage's retry layer retries requests (one
   * policy, each retry a `retry` event); more here multiplies with it.
   */
  maxAttempts?: number;
  /** Connection timeout in ms. Default 10 s. */
  connectionTimeoutMs?: number;
  /**
   * How long a request may go without a byte in either direction, in ms (0 = no limit, the default).
   * An idle limit rather than a total one, so large transfers are not cut; totals belong to the
   * core `withTimeout` layer.
   */
  requestTimeoutMs?: number;
  /** Sockets per host in the connection pool. Default 64. */
  maxSockets?: number;
  /** Whether the store keeps object versions (`?versionId=`). Default true; false makes version ids an error. */
  versioning?: boolean;
  /**
   * Expose the multipart hooks (`beginUpload`, `uploadPart`, …) to the transfer engine. Default true.
   * Turn off for stores that lack AbortMultipartUpload or ListParts (s3rver), so the engine streams
   * through `write` instead of managing parts it could not clean up or resume.
   */
  multipartHooks?: boolean;
  /** Whether the store enforces `If-None-Match`/`If-Match`; when false those options are refused. Default true. */
  conditionalWrites?: boolean;
  /** `legacy` accepts old us-east-1 bucket names (upper case, `_`, up to 255 chars). Default `strict`. */
  bucketNames?: 'strict' | 'legacy';
}
