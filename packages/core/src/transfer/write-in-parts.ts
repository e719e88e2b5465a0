import { InvalidArgumentError } from '../errors/error-types.js';
import { DigestSet, digestAlgorithmsFor } from '../integrity/digest-set.js';
import { verifyChecksums, verifySize } from '../integrity/verify.js';
import { type RetryOptions, retrying } from '../layers/retry.js';
import type { Limits } from '../provider/capabilities.js';
import type { Checksums, UploadedPart, UploadHandle, WriteResult } from '../provider/provider.js';
import type { BufferPool } from './buffer-pool.js';
import { choosePartSize } from './part-size.js';
import { cutParts } from './stream-parts.js';
import { runParts } from './worker-pool.js';

/**
 * The multipart calls a provider's `write` drives for a large body: its own requests, not its
 * public hooks (which a provider may have switched off, as the S3 provider's `multipartHooks: false`
 * does, while still writing large bodies in parts).
 */
export interface MultipartCalls {
  /** Start the upload. */
  begin(): Promise<UploadHandle>;
  /** Store one buffered part; called again for the same part on a retry. */
  part(handle: UploadHandle, partNumber: number, body: Buffer, signal: AbortSignal): Promise<UploadedPart>;
  /** Finish the upload with its parts in order. */
  complete(handle: UploadHandle, parts: UploadedPart[]): Promise<WriteResult>;
  /** Abort the upload; its failure is ignored. */
  abort(handle: UploadHandle): Promise<void>;
}

/** Inputs of {@link writeInParts}. */
export interface WriteInPartsInput {
  /** The bytes to write, consumed once. */
  body: AsyncIterable<Buffer>;
  /** The size the caller wants per part (fitted to `limits` by the one part-size rule). */
  partSize: number;
  /** The destination's limits (`capabilities.limits`). */
  limits: Readonly<Limits>;
  /** Parts uploading at once. */
  concurrency: number;
  /** Where, for messages. */
  where: string;
  /** Expected byte count, checked before completing; a mismatch aborts the upload. */
  contentLength?: number;
  /** Digests the body must have, checked before completing; a mismatch aborts the upload. */
  expected?: Checksums;
  /** Aborts the parts in flight and the upload, with `AbortedError`. */
  signal?: AbortSignal;
  /** Told the bytes read from the body so far (counted as parts are cut, before they are sent). */
  onProgress?: (bytes: number) => void;
  /** Retry policy of each part (a part is a buffer, so a retry sends it again as it is). */
  retry?: RetryOptions;
  /** Where part buffers come from and go back to once their part is stored. */
  pool?: BufferPool;
}

/**
 * Upload a stream in parts, `concurrency` at a time, through the engine's one pool: a part is cut
 * only when a lane is free, so memory is about (concurrency + 1) × part size whatever the body's
 * length. The body is counted (and hashed, when the caller gave digests) as it is cut and checked
 * *before* the upload is completed, so a bad body never becomes an object; on any failure or abort
 * the upload is aborted so no parts linger.
 */
export async function writeInParts(calls: MultipartCalls, input: WriteInPartsInput): Promise<WriteResult> {
  const signal = input.signal ?? new AbortController().signal;
  const { partSize } = choosePartSize(input.contentLength, input.partSize, input.limits, input.where);
  const maxParts = input.limits.maxParts;
  // Hash only what the caller wants verified: a whole-body SHA-256 costs ~2 s of CPU per GiB.
  const digests = new DigestSet(digestAlgorithmsFor(input.expected));
  const handle = await retrying('begin upload', () => calls.begin(), { ...input.retry, signal });
  const parts: UploadedPart[] = [];
  let consumed = 0;
  async function* numbered(): AsyncIterable<{ number: number; buffer: Buffer }> {
    let number = 0;
    for await (const buffer of cutParts(input.body, partSize, input.pool)) {
      number++;
      if (maxParts !== undefined && number > maxParts) {
        throw new InvalidArgumentError(
          `${input.where}: the body needs more than ${maxParts} parts of ${partSize} bytes; pass contentLength or a larger partSize`,
          { uri: input.where },
        );
      }
      digests.update(buffer);
      consumed += buffer.length;
      input.onProgress?.(consumed);
      yield { number, buffer };
    }
  }
  try {
    await runParts(
      numbered(),
      input.concurrency,
      signal,
      `write to ${input.where}`,
      async (job, partSignal) => {
        const part = await retrying(
          'upload-part',
          () => calls.part(handle, job.number, job.buffer, partSignal),
          {
            ...input.retry,
            signal: partSignal,
          },
        );
        parts.push(part);
        input.pool?.release(job.buffer);
      },
    );
    verifySize(input.contentLength, consumed, input.where);
    const actual = digests.checksums();
    verifyChecksums(input.expected, actual, input.where);
    parts.sort((a, b) => a.partNumber - b.partNumber);
    const result = await retrying('complete upload', () => calls.complete(handle, parts), {
      ...input.retry,
      signal,
    });
    const checksums = { ...result.checksums, ...actual };
    return { ...result, size: consumed, ...(Object.keys(checksums).length > 0 ? { checksums } : {}) };
  } catch (error) {
    await calls.abort(handle).catch(() => undefined);
    throw error;
  }
}
