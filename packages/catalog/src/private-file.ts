import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from '@stowage/core';

/** Options of {@link writeFileAtomic}. */
export interface PrivateWriteOptions {
  /** File mode given at creation. Default 0o600: token files are never readable by others, not even briefly. */
  mode?: number;
}

/**
 * Write a small file atomically: the bytes go to a temp file beside the target that is created with
 * its final mode (`open(…, 'wx', mode)`, never a chmod afterwards), flushed, then renamed over the
 * target. Readers see the old file or the new one; there is no moment when a token file is
 * world-readable or half written. The directory is created 0700.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: PrivateWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Remove a file; a missing file is fine (logout twice). */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
