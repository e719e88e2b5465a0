import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  ListPartsCommand,
  type ListPartsCommandOutput,
  UploadPartCommand,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import {
  type Body,
  type CallOptions,
  displayUri,
  InvalidArgumentError,
  type MultipartOptions,
  type StorageUri,
  TransientError,
  toReadable,
  type UploadedPart,
  type UploadHandle,
  type WriteResult,
} from '@stowage/core';
import { defined } from './defined.js';
import { S3_LIMITS } from './s3-limits.js';
import type { S3Requester } from './s3-requester.js';

function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/** CreateMultipartUpload with the provider's encryption, storage class and checksum settings. */
export async function createUpload(
  requester: S3Requester,
  uri: StorageUri,
  options: MultipartOptions,
  algorithm: 'CRC32' | 'SHA256' | undefined,
): Promise<UploadHandle> {
  requester.check(uri);
  const { output } = await requester.send<CreateMultipartUploadCommandOutput>(
    { uri, operation: 'begin upload', ...defined({ signal: options.signal, notify: options.notify }) },
    (payer) =>
      new CreateMultipartUploadCommand(
        defined({
          Bucket: uri.bucket,
          Key: uri.key,
          ContentType: options.contentType,
          Metadata: options.metadata,
          RequestPayer: payer,
          ChecksumAlgorithm: algorithm,
          ...requester.writeExtras(),
        }),
      ),
  );
  if (!output.UploadId) {
    throw new TransientError(`begin upload ${displayUri(uri)}: the server returned no upload id`, {
      uri: displayUri(uri),
      provider: requester.name,
    });
  }
  return { uri, uploadId: output.UploadId };
}

/** UploadPart of one buffered (replayable) or streamed part. */
export async function sendPart(
  requester: S3Requester,
  handle: UploadHandle,
  partNumber: number,
  body: Body,
  options: CallOptions & { contentLength?: number } = {},
): Promise<UploadedPart> {
  const uri = handle.uri;
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > S3_LIMITS.maxParts!) {
    throw new InvalidArgumentError(`Part number ${partNumber} is outside 1..${S3_LIMITS.maxParts}`, {
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
  const algorithm = requester.checksumAlgorithm;
  const { output } = await requester.send<UploadPartCommandOutput>(
    {
      uri,
      operation: `upload part ${partNumber} of`,
      replayable: bytes !== undefined,
      ...defined({ signal: options.signal, notify: options.notify }),
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
          ContentMD5: bytes && requester.needsContentMd5(algorithm) ? md5Base64(bytes) : undefined,
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

/** CompleteMultipartUpload with the parts in part-number order, as S3 requires. */
export async function finishUpload(
  requester: S3Requester,
  handle: UploadHandle,
  parts: UploadedPart[],
  signal: AbortSignal | undefined,
  ifNoneMatch?: '*',
): Promise<WriteResult> {
  const uri = handle.uri;
  const { output } = await requester.send<CompleteMultipartUploadCommandOutput>(
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

/** AbortMultipartUpload; an upload already gone counts as aborted. */
export async function sendAbort(
  requester: S3Requester,
  handle: UploadHandle,
  signal: AbortSignal | undefined,
): Promise<void> {
  const uri = handle.uri;
  try {
    await requester.send(
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

/** ListParts, every page: what a resumed upload already has on the server. */
export async function listParts(
  requester: S3Requester,
  handle: UploadHandle,
  options: CallOptions = {},
): Promise<UploadedPart[]> {
  const uri = handle.uri;
  const parts: UploadedPart[] = [];
  let marker: string | undefined;
  for (;;) {
    const { output } = await requester.send<ListPartsCommandOutput>(
      { uri, operation: 'list parts of', ...defined({ signal: options.signal, notify: options.notify }) },
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
