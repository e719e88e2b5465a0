import { randomUUID } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { abortableSleep, TimeoutError, throwIfAborted } from '@stowage/core';

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /**
   * A lock this old is taken over even when its holder may still run (hung, or on another host
   * where its pid cannot be checked). Keep it above the longest time the lock is held. Default 30 s.
   */
  staleMs?: number;
  /** Give up waiting for the lock after this long (`TimeoutError`). Default 60 s. */
  waitMs?: number;
  /** Stops waiting (`AbortedError`); the work itself is not cancelled by it. */
  signal?: AbortSignal;
  /** What the lock guards, in words, for the timeout message. */
  what?: string;
}

/** What a lock file holds: who took it. */
interface LockOwner {
  pid: number;
  host: string;
  id: string;
  since: number;
}

/** A look at an existing lock file: its identity on disk and, once written, its owner. */
interface LockSighting {
  ino: number;
  mtimeMs: number;
  owner: LockOwner | undefined;
}

/** Ids of the locks this process holds, so a lock left behind by this very process is recognised. */
const heldHere = new Set<string>();

/**
 * Run `work` while holding an advisory lock between processes: the file `path` created with
 * O_EXCL (`wx`), holding the holder's pid, host and a random id. Node has no flock; this works on
 * every local file system and needs no native module. A holder that crashed cannot keep it: a lock
 * whose pid is gone (same host; `kill(pid, 0)` says ESRCH) is taken over at once, and any lock older
 * than `staleMs` is taken over whoever holds it (see `removeStale`: waiters that find the same dead
 * holder remove its lock once). Waiting polls with jitter, bounded by `waitMs`.
 *
 * Written here rather than taken from proper-lockfile (the best-known package): that one loads
 * signal-exit, which hooks the process's signal handling on import, detects a crashed holder only
 * by mtime age (so survivors wait ≥ 2 s), and by default throws from a timer when the lock is
 * "compromised", crashing the host process.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const owner = await acquire(path, options);
  try {
    return await work();
  } finally {
    await release(path, owner);
  }
}

async function acquire(path: string, options: FileLockOptions): Promise<LockOwner> {
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  const owner: LockOwner = { pid: process.pid, host: hostname(), id: randomUUID(), since: Date.now() };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (let round = 0; ; round++) {
    throwIfAborted(options.signal, `waiting for the lock ${path}`);
    if (await tryCreate(path, owner)) {
      heldHere.add(owner.id);
      return owner;
    }
    const sighting = await look(path);
    if (sighting === undefined) continue; // released between our try and our look
    if (isStale(sighting, staleMs) && (await removeStale(path, sighting))) continue;
    if (Date.now() >= deadline) {
      const who = sighting.owner ? ` (held by pid ${sighting.owner.pid} on ${sighting.owner.host})` : '';
      throw new TimeoutError(
        `Gave up waiting for the lock ${path}${who}${options.what ? ` guarding ${options.what}` : ''}`,
        {
          uri: path,
          provider: 'catalog',
          hint: 'Another process is holding it; if none is, delete the lock file.',
        },
      );
    }
    // 10 ms at first, up to 100 ms, jittered so waiters do not wake in step.
    await abortableSleep(10 + Math.random() * Math.min(90, 10 * (round + 1)), options.signal);
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/** The lock file as it is now, or `undefined` when there is none. */
async function look(path: string): Promise<LockSighting | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const info = await handle.stat();
    const text = await handle.readFile('utf8');
    return { ino: info.ino, mtimeMs: info.mtimeMs, owner: parseOwner(text) };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.id === 'string') {
      return value as LockOwner;
    }
  } catch {
    // created but not yet written (or written by something else): judged by age alone
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(sighting: LockSighting, staleMs: number): boolean {
  const owner = sighting.owner;
  if (owner && owner.host === hostname()) {
    if (owner.pid === process.pid ? !heldHere.has(owner.id) : !processAlive(owner.pid)) return true;
  }
  return Date.now() - sighting.mtimeMs > staleMs;
}

/** How long a breaker (see {@link removeStale}) may be held: two small file operations. */
const BREAKER_STALE_MS = 5_000;

/**
 * Remove a lock judged stale, without ever removing a fresh one that replaced it meanwhile: only
 * the holder of the breaker file (`<lock>.break`, O_EXCL too) may remove a stale lock, and only
 * after checking, with the breaker held, that the lock file is still the one judged stale. Several
 * waiters that find the same dead holder at once thus remove it once, and then race for the lock
 * with O_EXCL as usual. False when another waiter is breaking it (wait, then look again).
 */
async function removeStale(path: string, stale: LockSighting): Promise<boolean> {
  const breakerPath = `${path}.break`;
  const breaker: LockOwner = { pid: process.pid, host: hostname(), id: randomUUID(), since: Date.now() };
  heldHere.add(breaker.id);
  try {
    if (!(await tryCreate(breakerPath, breaker))) {
      const other = await look(breakerPath);
      // A breaker that crashed between its two steps: clear it, then wait a round like the others.
      if (other && isStale(other, BREAKER_STALE_MS)) await unlink(breakerPath).catch(() => undefined);
      return false;
    }
    try {
      const now = await look(path);
      if (now !== undefined && sameLock(now, stale)) await unlink(path).catch(() => undefined);
      return true;
    } finally {
      await release(breakerPath, breaker);
    }
  } finally {
    heldHere.delete(breaker.id);
  }
}

function sameLock(a: LockSighting, b: LockSighting): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.owner?.id === b.owner?.id;
}

async function release(path: string, owner: LockOwner): Promise<void> {
  heldHere.delete(owner.id);
  const current = await look(path).catch(() => undefined);
  // Only our own lock: after a takeover (we held it past staleMs) it belongs to someone else.
  if (current?.owner?.id === owner.id) await unlink(path).catch(() => undefined);
}
