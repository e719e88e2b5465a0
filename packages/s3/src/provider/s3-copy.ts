import {
  CopyObjectCommand,
  type CopyObjectCommandOutput,
  UploadPartCopyCommand,
  type UploadPartCopyCommandOutput,
} from '@aws-sdk/client-s3';
import {
  type CopyObjectOptions,
  choosePartSize,
  displayUri,
  type ObjectStat,
  PreconditionFailedError,
  type StorageUri,
  type UploadedPart,
  type WriteResult,
} from '@stowage/core';
import { defined } from './defined.js';
import { S3_LIMITS } from './s3-limits.js';
import { createUpload, finishUpload, sendAbort } from './s3-multipart.js';
import { statObject } from './s3-object-read.js';
import type { S3Requester } from './s3-requester.js';
import type { TransferSettings } from './transfer-settings.js';

function encodeCopySource(uri: StorageUri): string {
  const key = uri.key.split('/').map(encodeURIComponent).join('/');
  const version = uri.versionId === undefined ? '' : `?versionId=${encodeURIComponent(uri.versionId)}`;
  return `${uri.bucket}/${key}${version}`;
}

/** Server-side copy: CopyObject, or UploadPartCopy above the multipart-copy threshold (S3 refuses CopyObject over 5 GiB). */
export async function copyWithinS3(
  requester: S3Requester,
  transfer: TransferSettings,
  source: StorageUri,
  destination: StorageUri,
  options: CopyObjectOptions = {},
): Promise<WriteResult> {
  requester.check(source);
  requester.check(destination);
  // ifMatch is checked here against HeadObject (and sent as CopySourceIfMatch), so it holds on any store.
  const head = await statObject(requester, source, defined({ signal: options.signal }));
  if (options.ifMatch !== undefined && head.etag !== options.ifMatch) {
    throw new PreconditionFailedError(`ETag of ${displayUri(source)} is no longer ${options.ifMatch}`, {
      uri: displayUri(source),
      provider: requester.name,
    });
  }
  if (head.size > transfer.copyThreshold)
    return copyInParts(requester, transfer, source, destination, head, options);
  const replace = options.metadata !== undefined || options.contentType !== undefined;
  const { output } = await requester.send<CopyObjectCommandOutput>(
    {
      uri: destination,
      operation: 'copy to',
      ...defined({ signal: options.signal, notify: options.notify }),
    },
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
          ChecksumAlgorithm: requester.checksumAlgorithm,
          ...requester.writeExtras(),
        }),
      ),
  );
  return {
    uri: destination,
    size: head.size,
    ...defined({ etag: output.CopyObjectResult?.ETag, versionId: output.VersionId }),
  };
}

async function copyInParts(
  requester: S3Requester,
  transfer: TransferSettings,
  source: StorageUri,
  destination: StorageUri,
  head: ObjectStat,
  options: CopyObjectOptions,
): Promise<WriteResult> {
  const { partSize } = choosePartSize(head.size, transfer.partSize, S3_LIMITS, displayUri(destination));
  const handle = await createUpload(
    requester,
    destination,
    defined({
      signal: options.signal,
      contentType: options.contentType ?? head.contentType,
      metadata: options.metadata ?? head.metadata,
    }),
    requester.checksumAlgorithm,
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
        const { output } = await requester.send<UploadPartCopyCommandOutput>(
          {
            uri: destination,
            operation: `copy part ${n} to`,
            ...defined({ signal: options.signal, notify: options.notify }),
          },
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
    await Promise.all(Array.from({ length: Math.min(transfer.concurrency, ranges.length) }, worker));
    return await finishUpload(requester, handle, parts, options.signal);
  } catch (error) {
    await sendAbort(requester, handle, AbortSignal.timeout(30_000)).catch(() => undefined);
    throw error;
  }
}
