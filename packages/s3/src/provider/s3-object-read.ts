import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import {
  assertPinHolds,
  changedError,
  checkRange,
  displayUri,
  isStowageError,
  type ObjectStat,
  type ReadOptions,
  type ReadPin,
  type StatOptions,
  type StorageUri,
  TransientError,
} from '@stowage/core';
import { defined } from './defined.js';
import { objectChecksums } from './object-checksums.js';
import { guardReadBody, type S3ReadStream } from './read-body.js';
import { s3ErrorStatus } from './s3-errors.js';
import type { S3Requester } from './s3-requester.js';

/**
 * Options of the S3 provider's `stat`: core's, plus the requester-pays agreement. The router's
 * paying source (`requesterPaysReads`) sets it; core's layers pass it through untouched.
 */
export interface S3StatOptions extends StatOptions {
  /** Agree to pay for this request (`x-amz-request-payer: requester`). */
  requesterPays?: boolean;
}

/** Options of the S3 provider's `read`: core's, plus the requester-pays agreement (see {@link S3StatOptions}). */
export interface S3ReadOptions extends ReadOptions {
  /** Agree to pay for this request (`x-amz-request-payer: requester`). */
  requesterPays?: boolean;
}

/** `stat` of an S3 object; `unsignedFallback` says why the answer came from an unsigned request. */
export interface S3ObjectStat extends ObjectStat {
  /** Set when the signed HeadObject got a 403 and an unsigned one answered (`unsignedReadFallback`): why. */
  unsignedFallback?: string;
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

/** HeadObject, as an `S3ObjectStat` (checksums only when they describe the bytes, see `objectChecksums`). */
export async function statObject(
  requester: S3Requester,
  uri: StorageUri,
  options: S3StatOptions = {},
): Promise<S3ObjectStat> {
  requester.check(uri);
  const { output, unsignedFallback } = await requester.send<HeadObjectCommandOutput>(
    {
      uri,
      operation: 'stat',
      read: true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      ...(options.requesterPays ? { requesterPays: true } : {}),
    },
    (payer) =>
      new HeadObjectCommand(
        defined({
          Bucket: uri.bucket,
          Key: uri.key,
          VersionId: uri.versionId,
          RequestPayer: payer,
          ChecksumMode: requester.checksumAlgorithm ? ('ENABLED' as const) : undefined,
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

/** Refuse an answer that is not the pinned version (a store that ignores If-Match still names its ETag). */
function checkServedVersion(
  output: GetObjectCommandOutput,
  pin: ReadPin,
  uri: StorageUri,
  provider: string,
): void {
  try {
    assertPinHolds(
      pin,
      {
        ...(output.ETag === undefined ? {} : { etag: output.ETag }),
        ...(output.LastModified === undefined ? {} : { lastModified: output.LastModified }),
      },
      displayUri(uri),
      provider,
    );
  } catch (error) {
    (output.Body as Readable | undefined)?.destroy();
    throw error;
  }
}

/** GetObject (whole, or a byte range) as a guarded stream: typed mid-body errors, exact range, early-reset restart. */
export async function readObject(
  requester: S3Requester,
  uri: StorageUri,
  options: S3ReadOptions = {},
): Promise<S3ReadStream> {
  requester.check(uri);
  const range = options.range;
  if (range) checkRange(range, displayUri(uri));
  // "bytes=0-" is the whole object: ask without a Range (an empty object has no byte 0 to range over).
  const wholeObject = range !== undefined && range.start === 0 && range.end === undefined;
  // If-Match / If-Unmodified-Since on GET are as old as S3 itself, unlike conditional writes, so
  // reads are pinned even where `conditionalWrites` is off; every answer is compared as well.
  const pin = { ifMatch: options.ifMatch, ifUnmodifiedSince: options.ifUnmodifiedSince };
  const get = (withRange: boolean) =>
    requester.send<GetObjectCommandOutput>(
      {
        uri,
        operation: 'read',
        read: true,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.notify ? { notify: options.notify } : {}),
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
            IfUnmodifiedSince: options.ifUnmodifiedSince,
            Range: withRange && range && !wholeObject ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
            // Whole-object reads are checked against the stored checksum by the SDK.
            ChecksumMode:
              requester.checksumAlgorithm && (!(withRange && range) || wholeObject)
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
    // A 412 to a pinned read is the object having changed, not a caller's precondition.
    if (isStowageError(error, 'PreconditionFailed') && (pin.ifMatch ?? pin.ifUnmodifiedSince) !== undefined)
      throw changedError(displayUri(uri), requester.name, 'S3 refused the pinned version (412)');
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
  checkServedVersion(output, pin, uri, requester.name);
  const window = range && !wholeObject ? rangeWindow(range, output.ContentRange, displayUri(uri)) : undefined;
  const body = guardReadBody({
    where: displayUri(uri),
    provider: requester.name,
    body: output.Body as Readable,
    length: output.ContentLength,
    window,
    signal: options.signal,
    ...(options.notify ? { notify: options.notify } : {}),
    refetch: async () => {
      const again = (await get(ranged)).output;
      checkServedVersion(again, pin, uri, requester.name);
      return again.Body as Readable;
    },
  });
  if (unsignedFallback !== undefined) body.unsignedFallback = unsignedFallback;
  if (output.ContentLength !== undefined)
    body.contentLength = window?.take ?? Math.max(0, output.ContentLength - (window?.skip ?? 0));
  return body;
}
