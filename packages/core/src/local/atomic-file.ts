import type { Stats } from 'node:fs';
import { type FileHandle, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toAbortedError } from '../errors/abort.js';
import { PreconditionFailedError } from '../errors/error-types.js';
import { digestAlgorithmsFor } from '../integrity/digest-set.js';
import { verifyChecksums, verifySize } from '../integrity/verify.js';
import type { Checksums } from '../provider/provider.js';
import { HashingFileWriter } from './hashing-file-writer.js';
import { modeToKeep } from './kept-mode.js';
import { sweepStaleTemps } from './stale-temps.js';
import { syncDirectory } from './sync-directory.js';
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
  /** fsync the file before the rename and its directory after, so a power loss keeps old or new, never an empty file. */
  durable?: boolean;
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
  /** The file's stat once written (the renamed file is the same inode), for its validator. */
  stats: Stats;
}

/**
 * Stream into a temp file beside `path`, verify size and digests, then rename into place. Readers
 * see the old file or the new one, never a part; on any failure or abort the temp file is removed.
 * A file written over keeps its permission bits; a link at `path` is replaced, never followed.
 * The directory's stale temp files (left by killed processes) are swept once it is written.
 */
export async function writeFileAtomically(
  path: string,
  source: Readable,
  options: AtomicWriteOptions = {},
): Promise<AtomicWriteResult> {
  const label = options.label ?? path;
  const mode = await modeToKeep(path);
  const temp = tempPathFor(path);
  const handle = await openCreating(temp, mode);
  // Digests only where something checks them (or the caller asked): hashing costs as much CPU as the copy.
  const writer = new HashingFileWriter(handle, {
    algorithms: digestAlgorithmsFor(options.expectedChecksums, options.computeSha256),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.durable ? { durable: true } : {}),
  });
  try {
    // Created with the kept mode already (umask may only narrow it), then set exactly.
    if (mode !== undefined) await handle.chmod(mode);
    await pipeline(source, writer, ...(options.signal ? [{ signal: options.signal }] : [])).catch((error) => {
      throw options.signal?.aborted ? toAbortedError(options.signal.reason, `write to ${label}`) : error;
    });
    const checksums = writer.checksums();
    verifySize(options.expectedSize, writer.bytes, label);
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
    if (options.durable) await syncDirectory(dirname(path));
    await sweepStaleTemps(dirname(path));
    return { size: writer.bytes, checksums, stats: writer.stats! };
  } catch (error) {
    writer.destroy();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Create `temp` exclusively (so never through a link), making its directory only when it is
 * missing: the directory usually exists (every file of a tree after the first), and a `mkdir -p`
 * per file costs two system calls.
 */
async function openCreating(temp: string, mode = 0o666): Promise<FileHandle> {
  try {
    return await open(temp, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(temp), { recursive: true });
    return await open(temp, 'wx', mode);
  }
}
