import { readFile, rename, unlink, writeFile } from 'node:fs/promises';

/** What an interrupted download leaves beside its partial file, to resume only the same version. */
export interface DownloadState {
  /** Format version; a file with another version is ignored. */
  version: 1;
  /** Printable source URI (no secrets). */
  source: string;
  /** Total bytes of the resource. */
  size: number;
  /** ETag or Last-Modified of the version being downloaded. */
  validator: string;
  /** Bytes per segment; a resume needs the same size so segment indexes line up. */
  segmentSize: number;
  /** Indexes of finished segments. */
  done: number[];
}

/** The saved state, or undefined when there is none or it is unreadable (a fresh start is always safe). */
export async function loadDownloadState(path: string): Promise<DownloadState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as DownloadState;
    return parsed?.version === 1 && Array.isArray(parsed.done) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Save atomically: a crash mid-save leaves the previous state, never a torn one. */
export async function saveDownloadState(path: string, state: DownloadState): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(state));
  await rename(temp, path);
}

/** Remove a state file (absent is fine). */
export async function dropDownloadState(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
