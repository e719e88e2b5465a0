import { open } from 'node:fs/promises';

/**
 * fsync a directory, so a rename or a new entry in it survives a power loss (the file's own fsync
 * does not cover its name). Platforms that cannot open a directory for it (Windows) are skipped.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle?.close();
  }
}
