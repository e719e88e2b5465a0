import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  displayUri,
  InvalidArgumentError,
  type PresignOptions,
  type StorageUri,
  type UploadHandle,
  unsupported,
} from '@stowage/core';
import { defined } from './defined.js';
import { mapS3Error } from './s3-errors.js';
import { createUpload, sendAbort } from './s3-multipart.js';
import type { S3Requester } from './s3-requester.js';

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
  /** MIME type of the object the upload creates. */
  contentType?: string;
  /** User metadata of the object the upload creates. */
  metadata?: Record<string, string>;
  /** Aborts CreateMultipartUpload (the signing itself makes no request). */
  signal?: AbortSignal;
}

const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

function presignClient(requester: S3Requester, bucket: string): S3Client {
  if (requester.anonymous)
    throw unsupported(requester.name, 'presign (an anonymous provider has no keys to sign with)');
  return requester.factory.client(requester.regionOf(bucket), false, 'presign');
}

function checkExpiry(expiresIn: number): void {
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new InvalidArgumentError(
      `expiresIn ${expiresIn} must be 1 to ${MAX_PRESIGN_SECONDS} seconds (7 days)`,
    );
  }
}

async function sign(
  requester: S3Requester,
  bucket: string,
  command: unknown,
  expiresIn: number,
): Promise<string> {
  const client = presignClient(requester, bucket);
  try {
    return await getSignedUrl(client as never, command as never, { expiresIn });
  } catch (error) {
    throw mapS3Error(error, {
      operation: 'presign',
      uri: `s3://${bucket}`,
      bucket,
      provider: requester.name,
    });
  }
}

/** A presigned GET or PUT URL (at most 7 days, SigV4's limit). */
export async function presignObject(
  requester: S3Requester,
  uri: StorageUri,
  options: PresignOptions = {},
): Promise<string> {
  requester.check(uri);
  const expiresIn = options.expiresIn ?? 3600;
  checkExpiry(expiresIn);
  const payer = requester.options.requestPayer ? ('requester' as const) : undefined;
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
  return sign(requester, uri.bucket, command, expiresIn);
}

/** Start a multipart upload and presign every URL a client without credentials needs to finish or abort it. */
export async function presignMultipartUpload(
  requester: S3Requester,
  uri: StorageUri,
  options: PresignMultipartOptions,
): Promise<PresignedMultipartUpload> {
  requester.check(uri);
  if (!Number.isSafeInteger(options.parts) || options.parts < 1 || options.parts > 10_000) {
    throw new InvalidArgumentError(`parts must be 1 to 10000, got ${options.parts}`, {
      uri: displayUri(uri),
    });
  }
  const expiresIn = options.expiresIn ?? 3600;
  checkExpiry(expiresIn);
  presignClient(requester, uri.bucket);
  const handle = await createUpload(
    requester,
    uri,
    defined({ signal: options.signal, contentType: options.contentType, metadata: options.metadata }),
    undefined,
  );
  try {
    const partUrls = await presignUploadParts(
      requester,
      handle,
      Array.from({ length: options.parts }, (_, i) => i + 1),
      { expiresIn },
    );
    const target = { Bucket: uri.bucket, Key: uri.key, UploadId: handle.uploadId };
    const [completeUrl, abortUrl] = await Promise.all([
      sign(requester, uri.bucket, new CompleteMultipartUploadCommand(target), expiresIn),
      sign(requester, uri.bucket, new AbortMultipartUploadCommand(target), expiresIn),
    ]);
    return {
      ...handle,
      partUrls,
      completeUrl,
      abortUrl,
      expiresAt: new Date(Date.now() + expiresIn * 1000),
    };
  } catch (error) {
    await sendAbort(requester, handle, AbortSignal.timeout(30_000)).catch(() => undefined);
    throw error;
  }
}

/** Presigned UploadPart URLs for an upload already started. */
export async function presignUploadParts(
  requester: S3Requester,
  handle: UploadHandle,
  partNumbers: number[],
  options: { expiresIn?: number } = {},
): Promise<string[]> {
  const expiresIn = options.expiresIn ?? 3600;
  checkExpiry(expiresIn);
  const { uri } = handle;
  return Promise.all(
    partNumbers.map((n) => {
      if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) {
        throw new InvalidArgumentError(`Part number ${n} is outside 1..10000`, { uri: displayUri(uri) });
      }
      return sign(
        requester,
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
