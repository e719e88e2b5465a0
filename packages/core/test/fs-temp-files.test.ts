import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStorage,
  FsProvider,
  MemoryProvider,
  parseTempName,
  partialPaths,
  readAll,
  type Storage,
  tempPathFor,
} from '../src/index.js';

// Temp files on a real file system: named so that no user file can pass for one (and none of
// Stowage's can pass for user data), never listed or uploaded, and, when a process killed with
// SIGKILL left them, removed once stale the next time their directory is written.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(PACKAGE_DIR, 'test/support/killed-writer-child.mjs');
const MiB = 1024 * 1024;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
let root: string;

beforeAll(async () => {
  // The child runs the built package (test/support/build-once.ts builds it before the files run).
  root = await mkdtemp(join(tmpdir(), 'stowage-temps-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function newStorage(): Storage {
  return createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
}

async function keysOf(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storage.list(prefix, { recursive: true })) keys.push(entry.key.split('/').pop()!);
  return keys.sort();
}

async function age(path: string, ms: number): Promise<void> {
  const when = new Date(Date.now() - ms);
  await utimes(path, when, when);
}

/** Poll until `ready` holds; bounded in time. */
async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting for the child');
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('user files whose names look like temp files', () => {
  it('list, upload, download and survive sweeps like any other file', async () => {
    const storage = newStorage();
    const dir = join(root, 'user');
    await mkdir(dir);
    const userNames = [
      '.stowage-tmp-notes.txt',
      '.stowage-tmp-resume-notes.txt',
      // The right shape, but its check digits do not match: not something Stowage made.
      '.stowage-tmp-123-abcdefabcdef-deadbeef-x.txt',
    ];
    for (const name of userNames) {
      await writeFile(join(dir, name), `user data in ${name}`);
      await age(join(dir, name), 30 * DAY);
    }
    // Stowage's own: a write in progress and a resumable download's partial file.
    await writeFile(tempPathFor(join(dir, 'data.bin')), 'partial');
    await writeFile(partialPaths(join(dir, 'big.bin')).partial, 'partial');

    expect(await keysOf(storage, `${dir}/`)).toEqual([...userNames].sort());
    // A write into the directory sweeps it: user files stay, however old.
    await storage.write(join(dir, 'plain.txt'), 'plain');
    const upload = await storage.copyTree(`${dir}/`, 'mem://up/u/').done;
    expect(upload.files).toBe(userNames.length + 1);
    expect(await keysOf(storage, 'mem://up/u/')).toEqual([...userNames, 'plain.txt'].sort());
    const back = join(root, 'user-back');
    await storage.copyTree('mem://up/u/', `${back}/`).done;
    for (const name of userNames)
      expect(await readFile(join(back, name), 'utf8')).toBe(`user data in ${name}`);
    expect(
      (await readAll(await storage.read(join(dir, '.stowage-tmp-notes.txt')))).toString('utf8'),
    ).toContain('user data');
  });

  it('a name that fits the file system keeps fitting with the temp prefix (multi-byte names)', async () => {
    const storage = newStorage();
    const dir = join(root, 'wide');
    // 80 three-byte characters: 244 bytes, within NAME_MAX (255), but not with a 40-byte prefix.
    const name = `${'文'.repeat(80)}.txt`;
    const ranged = `${'文'.repeat(80)}.bin`;
    await storage.write('mem://w/big', randomBytes(2 * MiB));
    await storage.write(join(dir, name), 'wide');
    const result = await storage.copy('mem://w/big', join(dir, ranged), { multipartThreshold: MiB }).done;
    expect(result.strategy).toBe('ranged-download');
    expect((await readdir(dir)).sort()).toEqual([name, ranged].sort());
  });
});

describe('temp files left by a process killed with SIGKILL', () => {
  it('are never listed or uploaded, and are removed once stale when the directory is next written', async () => {
    const dir = join(root, 'killed');
    await mkdir(dir);
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ directory: dir })], {
      cwd: PACKAGE_DIR,
      stdio: 'ignore',
    });
    const { partial, state } = partialPaths(join(dir, 'big.bin'));
    const tempsIn = async () =>
      (await readdir(dir)).filter((n) => parseTempName(n)?.kind === 'write' && n.endsWith('slow.bin'));
    try {
      await waitFor(
        async () =>
          (await tempsIn()).length === 1 &&
          (await stat(state).then(
            () => true,
            () => false,
          )) &&
          (await stat(join(dir, 'a.txt')).then(
            () => true,
            () => false,
          )),
      );
    } finally {
      await killed(child);
    }
    const [orphan] = await tempsIn();
    expect(parseTempName(orphan!)).toEqual({ kind: 'write', pid: child.pid });

    // Not data: not listed, not uploaded.
    const storage = newStorage();
    expect(await keysOf(storage, `${dir}/`)).toEqual(['a.txt']);
    expect((await storage.copyTree(`${dir}/`, 'mem://up/k/').done).files).toBe(1);

    // Copies of the orphan elsewhere, to test the other rules in a directory not yet swept: a
    // dead owner's temp file that is recent stays (it may be a slow writer on another machine).
    const other = join(root, 'killed-other');
    await mkdir(other);
    await copyFile(join(dir, orphan!), join(other, orphan!));
    // A live owner's temp file stays however old (this process is alive).
    const mine = tempPathFor(join(other, 'mine.bin'));
    await writeFile(mine, 'in progress');
    await age(mine, 3 * HOUR);
    // Resume partials stay for 7 days, then go.
    const recent = partialPaths(join(other, 'recent.bin'));
    const old = partialPaths(join(other, 'old.bin'));
    for (const path of [recent.partial, recent.state, old.partial, old.state]) await writeFile(path, 'p');
    for (const path of [recent.partial, recent.state]) await age(path, 2 * DAY);
    for (const path of [old.partial, old.state]) await age(path, 8 * DAY);

    // The killed process's temp file is two hours old; its partial download only that.
    for (const path of [join(dir, orphan!), partial, state]) await age(path, 2 * HOUR);
    await storage.write(join(dir, 'next.txt'), 'next');
    const left = (await readdir(dir)).sort();
    expect(left).not.toContain(orphan);
    expect(left).toEqual(expect.arrayContaining([partial, state].map((p) => p.slice(dir.length + 1))));

    await storage.write(join(other, 'next.txt'), 'next');
    expect((await readdir(other)).sort()).toEqual(
      [orphan!, mine, recent.partial, recent.state, join(other, 'next.txt')]
        .map((p) => p.slice(p.lastIndexOf('/') + 1))
        .sort(),
    );
  }, 60_000);
});
