import { createWriteStream } from 'node:fs';
import { link, mkdir, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toAbortedError } from '../errors/abort.js';
import { PreconditionFailedError } from '../errors/error-types.js';
import { digestAlgorithmsFor } from '../integrity/digest-set.js';
import { DigestStream } from '../integrity/digest-stream.js';
import { verifyChecksums, verifySize } from '../integrity/verify.js';
import type { Checksums } from '../provider/provider.js';
import { tempPathFor } from './temp-path.js';

/** Options of {@link writeFileAtomically}. */
export interface AtomicWriteOptions {
  /** Expected byte count; a different count fails and keeps nothing. */
  expectedSize?: number;
  /** Expected digests; a mismatch fails and keeps nothing. */
  expectedChecksums?: Checksums;
  /** Compute SHA-256 even when no expected digest asks for it (to report it). */
  computeSha256?: boolean;
  /** Create only: fail with PreconditionFailedError when `path` exists. */
  createOnly?: boolean;
  /** Aborts the write with `AbortedError`; the temp file is removed. */
  signal?: AbortSignal;
  /** Told the bytes written so far, as they go. */
  onProgress?: (bytes: number) => void;
  /** Display name for errors (defaults to the path). */
  label?: string;
}

/** What {@link writeFileAtomically} wrote. */
export interface AtomicWriteResult {
  /** Bytes written. */
  size: number;
  /** Digests computed: those `expectedChecksums` names, plus SHA-256 with `computeSha256`; may be empty. */
  checksums: Checksums;
}

/**
 * Stream into a temp file beside `path`, verify size and digests, then rename into place. Readers
 * see the old file or the new one, never a part; on any failure or abort the temp file is removed.
 */
export async function writeFileAtomically(
  path: string,
  source: Readable,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriteResult> {
  const label = options.label ?? path;
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  // Digests only where something checks them (or the caller asked): hashing costs as much CPU as the copy.
  const algorithms = digestAlgorithmsFor(options.expectedChecksums, options.computeSha256);
  const digest = new DigestStream(algorithms, options.onProgress);
  try {
    await pipeline(
      source,
      digest,
      createWriteStream(temp, { flags: 'wx' }),
      ...(options.signal ? [{ signal: options.signal }] : []),
    ).catch((error) => {
      throw options.signal?.aborted ? toAbortedError(options.signal.reason, `write to ${label}`) : error;
    });
    const checksums = digest.checksums();
    verifySize(options.expectedSize, digest.bytes, label);
    verifyChecksums(options.expectedChecksums, checksums, label);
    if (options.createOnly) {
      // link() fails when the target exists, so create-only is atomic against other writers.
      await link(temp, path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST')
          throw new PreconditionFailedError(`${label} already exists`, { uri: label });
        throw error;
      });
      await unlink(temp);
    } else {
      await rename(temp, path);
    }
    return { size: digest.bytes, checksums };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
