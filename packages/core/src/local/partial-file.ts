import { constants } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PermissionDeniedError } from '../errors/error-types.js';
import { modeToKeep } from './kept-mode.js';
import { sweepStaleTemps } from './stale-temps.js';

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Open the partial file of a download into `destination` for reading and writing. Its name is
 * predictable (a rerun must find it), so it is never opened through a link: a fresh download
 * removes whatever has the name and creates the file exclusively; a resumed one opens it without
 * following a link and accepts only a plain file with one name. It gets the mode of the file it
 * will replace, so overwriting a 0600 file does not leave 0644. The directory's stale temp files
 * are swept afterwards (this one is touched first, so a sweep never takes it).
 * @throws PermissionDeniedError when a resumed partial is a link or has other names.
 */
export async function openPartial(
  partial: string,
  destination: string,
  resuming: boolean,
): Promise<FileHandle> {
  const mode = await modeToKeep(destination);
  let handle: FileHandle;
  if (resuming) {
    const refused = () =>
      new PermissionDeniedError(
        `Refusing to resume into ${partial}: it is not a plain file (a link, or a file with other names)`,
        { uri: partial, hint: 'Remove it; the download then starts over.' },
      );
    handle = await open(partial, constants.O_RDWR | NO_FOLLOW).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? refused() : error;
    });
    const info = await handle.stat().catch(() => undefined);
    if (!info?.isFile() || info.nlink !== 1) {
      await handle.close();
      throw refused();
    }
    const now = new Date();
    await handle.utimes(now, now);
  } else {
    await unlink(partial).catch(() => undefined);
    handle = await open(partial, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, mode ?? 0o666);
  }
  try {
    if (mode !== undefined) await handle.chmod(mode);
  } catch (error) {
    await handle.close();
    throw error;
  }
  await sweepStaleTemps(dirname(partial));
  return handle;
}
