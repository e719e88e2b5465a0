import { lstat } from 'node:fs/promises';

/**
 * The permission bits of the regular file at `path`, which a file written over it must keep (a
 * 0600 file stays 0600), or undefined when there is none (then the new file gets the usual
 * 0666 minus umask). A symbolic link is not followed: the write replaces the link, not its target.
 * Set-id and sticky bits are not kept: they were granted to the old content.
 */
export async function modeToKeep(path: string): Promise<number | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info?.isFile() ? info.mode & 0o777 : undefined;
}
