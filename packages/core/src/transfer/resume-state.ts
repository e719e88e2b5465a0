import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { tempPathFor } from '../local/temp-path.js';

/**
 * Small JSON files that let a transfer continue after a crash. Written atomically (temp + rename) so
 * a crash while saving leaves the previous state, never a torn one; the temp file is created
 * exclusively (never through a link) and named like every Stowage temp file, so it is hidden and
 * swept like them.
 */
export async function saveState(path: string, state: unknown): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, JSON.stringify(state), { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** The saved state, or undefined when there is none or it is unreadable (then the transfer starts over). */
export async function loadState<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Remove a state file (missing is fine). */
export async function dropState(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/** Saves at most every `intervalMs`, always keeping the latest state for the final save. */
export class ThrottledStateWriter<T> {
  private last = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly intervalMs = 250,
  ) {}

  /** Save `state` unless a save happened less than the interval ago. */
  maybeSave(state: T): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    const snapshot = JSON.parse(JSON.stringify(state)) as T;
    this.pending = this.pending.then(() => saveState(this.path, snapshot)).catch(() => undefined);
  }

  /** Wait for queued saves. */
  async flush(): Promise<void> {
    await this.pending;
  }
}
