import { createHash } from 'node:crypto';
import { PutObjectCommand, type PutObjectCommandOutput } from '@aws-sdk/client-s3';
import {
  type Body,
  choosePartSize,
  displayUri,
  InvalidArgumentError,
  knownLength,
  retrying,
  type StorageUri,
  splitBody,
  toAbortedError,
  toReadable,
  verifyChecksums,
  verifySize,
  type WriteOptions,
  type WriteResult,
  writeInParts,
} from '@stowage/core';
import { defined } from './defined.js';
import { md5FromEtag } from './object-checksums.js';
import { S3_LIMITS } from './s3-limits.js';
import { createUpload, finishUpload, sendAbort, sendPart } from './s3-multipart.js';
import type { S3Requester } from './s3-requester.js';
import type { TransferSettings } from './transfer-settings.js';

/** PutObject below the multipart threshold, the provider's own multipart writer above it (or when the length is unknown and large). */
export async function writeObject(
  requester: S3Requester,
  transfer: TransferSettings,
  uri: StorageUri,
  body: Body,
  options: WriteOptions = {},
): Promise<WriteResult> {
  requester.check(uri);
  const where = displayUri(uri);
  if (options.ifNoneMatch !== undefined) requester.checkConditional('ifNoneMatch', uri);
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
    if (data.byteLength < transfer.threshold)
      return putSingle(requester, uri, Buffer.from(data.buffer, data.byteOffset, data.byteLength), options);
  }
  const source = toReadable(body);
  const abort = () => source.destroy();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    if (length !== undefined && length >= transfer.threshold) {
      return await putInParts(requester, transfer, uri, source, length, options);
    }
    const split = await splitBody(source, transfer.threshold);
    if (split.ended) {
      const data =
        split.head.length === 1 ? split.head[0]! : transfer.pool.gather(split.head, split.headBytes);
      // Buffered now, so it can be sent again: under the caller's policy (the retry layer's), the
      // one place this request is retried.
      const result = await retrying('write', () => putSingle(requester, uri, data, options), {
        ...options.retry,
        uri,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      transfer.pool.release(data);
      return result;
    }
    return await putInParts(requester, transfer, uri, split.all, length, options);
  } catch (error) {
    if (options.signal?.aborted) throw toAbortedError(options.signal.reason, `write to ${where}`);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

async function putSingle(
  requester: S3Requester,
  uri: StorageUri,
  data: Buffer,
  options: WriteOptions,
): Promise<WriteResult> {
  const where = displayUri(uri);
  verifySize(options.contentLength, data.length, where);
  const algorithm = requester.checksumAlgorithm;
  // SHA-256 costs as much CPU as the upload itself on fast links: only when something checks it.
  const sha256 =
    options.checksum?.sha256 !== undefined || algorithm === 'SHA256'
      ? createHash('sha256').update(data).digest('base64')
      : undefined;
  // A signed request carries the body's SHA-256 (SigV4's payload hash), which S3 checks, and an
  // S3 checksum protects it too: Content-MD5 is then the same protection paid for twice.
  const md5 =
    options.checksum?.md5Hex !== undefined || requester.needsContentMd5(algorithm)
      ? createHash('md5').update(data)
      : undefined;
  const md5Hex = md5?.copy().digest('hex');
  verifyChecksums(options.checksum, defined({ sha256, md5Hex }), where);
  const { output } = await requester.send<PutObjectCommandOutput>(
    { uri, operation: 'write', ...defined({ signal: options.signal, notify: options.notify }) },
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
          ...requester.writeExtras(),
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

function putInParts(
  requester: S3Requester,
  transfer: TransferSettings,
  uri: StorageUri,
  body: AsyncIterable<Buffer | Uint8Array>,
  length: number | undefined,
  options: WriteOptions,
): Promise<WriteResult> {
  // The known length (contentLength, or a buffer's) decides the parts even when the caller gave none.
  const { partSize } = choosePartSize(length, transfer.partSize, S3_LIMITS, displayUri(uri));
  return writeInParts(
    {
      begin: () =>
        createUpload(
          requester,
          uri,
          defined({ signal: options.signal, contentType: options.contentType, metadata: options.metadata }),
          requester.checksumAlgorithm,
        ),
      part: (handle, number, buffer, signal) => sendPart(requester, handle, number, buffer, { signal }),
      complete: (handle, parts) =>
        finishUpload(requester, handle, parts, options.signal, options.ifNoneMatch),
      abort: (handle) => sendAbort(requester, handle, AbortSignal.timeout(30_000)),
    },
    {
      body: body as AsyncIterable<Buffer>,
      partSize,
      limits: S3_LIMITS,
      concurrency: transfer.concurrency,
      where: displayUri(uri),
      ...defined({
        contentLength: options.contentLength,
        expected: options.checksum,
        signal: options.signal,
        onProgress: options.onProgress,
        retry: options.retry,
      }),
      pool: transfer.pool,
    },
  );
}
