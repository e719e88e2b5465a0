import {
  type Checksums,
  DigestSet,
  digestAlgorithmsFor,
  InvalidArgumentError,
  retrying,
  toAbortedError,
  type UploadedPart,
  type UploadHandle,
  verifyChecksums,
  verifySize,
  type WriteResult,
} from '@stowage/core';
import { cutParts } from './body-parts.js';
import type { BufferPool } from './buffer-pool.js';
import { MAX_PARTS } from './part-size.js';

/** The multipart calls the writer drives (the provider's own hooks). */
export interface MultipartCalls {
  /** CreateMultipartUpload. */
  begin(): Promise<UploadHandle>;
  /** UploadPart of one buffered part; may be called again for the same part on a retry. */
  part(handle: UploadHandle, partNumber: number, body: Buffer, signal: AbortSignal): Promise<UploadedPart>;
  /** CompleteMultipartUpload with the parts in order. */
  complete(handle: UploadHandle, parts: UploadedPart[]): Promise<WriteResult>;
  /** AbortMultipartUpload; its failure is ignored. */
  abort(handle: UploadHandle): Promise<void>;
}

/** Inputs of {@link writeInParts}. */
export interface WriteInPartsInput {
  /** The bytes to write, consumed once. */
  body: AsyncIterable<Buffer>;
  /** Bytes per part (the last may be shorter); more than 10,000 parts fails with `InvalidArgumentError`. */
  partSize: number;
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
  /** Attempts per part on retryable errors, on top of the SDK's own retries. Default 3. */
  partAttempts?: number;
  /** Where part buffers come from and go back to once their part is stored. */
  pool?: BufferPool;
}

/**
 * Upload a stream in parts, `concurrency` at a time (memory: about (concurrency + 1) × part size).
 * Each part is a buffer, so a failed part is retried as is. The body is counted (and hashed, when
 * the caller gave digests) on the way and checked *before* CompleteMultipartUpload, so a bad body
 * never becomes an object; on any failure or abort the upload is aborted so no parts linger.
 */
export async function writeInParts(calls: MultipartCalls, input: WriteInPartsInput): Promise<WriteResult> {
  const local = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, local.signal]) : local.signal;
  // Hash only what the caller wants verified: a whole-body SHA-256 costs ~2 s of CPU per GiB.
  const digests = new DigestSet(digestAlgorithmsFor(input.expected));
  const handle = await calls.begin();
  const parts: UploadedPart[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let consumed = 0;
  try {
    let partNumber = 0;
    for await (const buffer of cutParts(input.body, input.partSize, input.pool)) {
      if (failure !== undefined) break;
      if (signal.aborted) throw toAbortedError(signal.reason, `write to ${input.where}`);
      partNumber++;
      if (partNumber > MAX_PARTS) {
        throw new InvalidArgumentError(
          `${input.where}: the body needs more than ${MAX_PARTS} parts of ${input.partSize} bytes; pass contentLength or a larger partSize`,
          { uri: input.where },
        );
      }
      digests.update(buffer);
      consumed += buffer.length;
      input.onProgress?.(consumed);
      const number = partNumber;
      const task = retrying('upload-part', () => calls.part(handle, number, buffer, signal), {
        maxAttempts: input.partAttempts ?? 3,
        signal,
      }).then(
        (part) => {
          parts.push(part);
          input.pool?.release(buffer);
        },
        (error: unknown) => {
          failure ??= error;
          local.abort(error);
        },
      );
      running.add(task);
      void task.finally(() => running.delete(task));
      while (running.size >= input.concurrency) await Promise.race(running);
    }
    await Promise.all(running);
    if (failure !== undefined) throw failure;
    if (input.signal?.aborted) throw toAbortedError(input.signal.reason, `write to ${input.where}`);
    verifySize(input.contentLength, consumed, input.where);
    const actual = digests.checksums();
    verifyChecksums(input.expected, actual, input.where);
    parts.sort((a, b) => a.partNumber - b.partNumber);
    const result = await calls.complete(handle, parts);
    const checksums = { ...result.checksums, ...actual };
    return { ...result, size: consumed, ...(Object.keys(checksums).length > 0 ? { checksums } : {}) };
  } catch (error) {
    local.abort(error);
    await Promise.allSettled(running);
    await calls.abort(handle).catch(() => undefined);
    if (input.signal?.aborted) throw toAbortedError(input.signal.reason, `write to ${input.where}`);
    throw failure ?? error;
  }
}
