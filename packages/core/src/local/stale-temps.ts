import { lstat, opendir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTempName, type TempName } from './temp-path.js';

/**
 * A write's temp file whose process is gone is removed once untouched this long (1 hour). A live
 * writer touches its temp file with every chunk, and the pid check only sees this host's (and
 * this container's) processes: on a directory shared over the network, the age is what keeps
 * another machine's slow but live write from losing its temp file.
 */
export const STALE_WRITE_TEMP_MS = 60 * 60 * 1000;

/**
 * A resumable download's partial file and its state are removed once untouched this long (7 days):
 * until then a rerun can continue it, so they are not lost to a sweep between a kill and the rerun.
 */
export const STALE_RESUME_MS = 7 * 24 * 60 * 60 * 1000;

/** A directory is swept at most this often by one process (10 minutes). */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** Directories remembered as recently swept; past this the memory is dropped and rebuilt. */
const REMEMBERED_DIRECTORIES = 4096;

const lastSwept = new Map<string, number>();

/** Whether process `pid` exists on this host (a process of another user counts). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a temp file may be removed: a write's temp file when its owner is not alive and it is
 * older than {@link STALE_WRITE_TEMP_MS}; a resume partial or state when older than
 * {@link STALE_RESUME_MS} (whoever made it: a rerun of any process may continue it).
 */
export function isStaleTemp(temp: TempName, modifiedMs: number, now = Date.now()): boolean {
  const age = now - modifiedMs;
  if (temp.kind === 'write') return age > STALE_WRITE_TEMP_MS && !processAlive(temp.pid!);
  return age > STALE_RESUME_MS;
}

/**
 * Remove the stale temp files (see {@link isStaleTemp}) of `dir`: what a process killed mid-write
 * left. Called when a file is written into `dir`; runs at most once per {@link SWEEP_INTERVAL_MS}
 * per directory, so a tree of many files in one directory pays one scan. Only regular files whose
 * names parse as Stowage temp names are touched; every failure is ignored (the sweep is a courtesy,
 * never a reason for a write to fail).
 */
export async function sweepStaleTemps(dir: string): Promise<void> {
  const now = Date.now();
  const last = lastSwept.get(dir);
  if (last !== undefined && now - last < SWEEP_INTERVAL_MS) return;
  if (lastSwept.size >= REMEMBERED_DIRECTORIES) lastSwept.clear();
  lastSwept.set(dir, now);
  try {
    for await (const entry of await opendir(dir)) {
      const temp = parseTempName(entry.name);
      if (!temp) continue;
      const path = join(dir, entry.name);
      const info = await lstat(path).catch(() => undefined);
      if (info?.isFile() && isStaleTemp(temp, info.mtimeMs, now)) await unlink(path).catch(() => undefined);
    }
  } catch {
    // Unreadable or gone: nothing to sweep.
  }
}
