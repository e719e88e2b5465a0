import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CopyTreeResult,
  createStorage,
  FsProvider,
  MemoryProvider,
  parseUri,
  partialPaths,
  type Storage,
} from '../src/index.js';

// Destinations on a real file system: a symbolic link inside a tree destination never carries a key
// out of it, a predictable temp name is never written through a link, and a file written over keeps
// its mode. Each case goes through the public API (createStorage, FsProvider, copy, copyTree).
const MiB = 1024 * 1024;
let root: string;
let dest: string;
let outside: string;
let storage: Storage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'stowage-dest-'));
  dest = join(root, 'dest');
  outside = join(root, 'outside');
  await mkdir(dest);
  await mkdir(outside);
  storage = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The tree's result, whether it resolved or rejected (a failed file rejects the whole tree). */
async function treeResult(run: Promise<CopyTreeResult>): Promise<CopyTreeResult> {
  return run.catch((error: { treeResult?: CopyTreeResult }) => {
    if (!error.treeResult) throw error;
    return error.treeResult;
  });
}

describe('a symbolic link inside a tree destination', () => {
  it('never carries a key out of the destination, whatever the strategy (stream, ranged, server-side copy, marker)', async () => {
    // dest/sub → ../outside, made by someone before the copy.
    await symlink('../outside', join(dest, 'sub'));
    await storage.write('mem://b/t/sub/x.txt', 'small');
    await storage.write('mem://b/t/sub/big.bin', randomBytes(3 * MiB));
    await storage.write('mem://b/t/sub/deeper/', '');
    await storage.write('mem://b/t/ok.txt', 'fine');
    const result = await treeResult(
      storage.copyTree('mem://b/t/', `${dest}/`, { multipartThreshold: MiB, partSize: MiB }).done,
    );
    expect(result.failed).toBe(3);
    expect(new Set(result.failures.map((f) => f.code))).toEqual(new Set(['PermissionDenied']));
    expect(result.failures[0]!.message).toMatch(/symbolic link.*outside the destination/);
    expect(await readdir(outside)).toEqual([]);
    expect(await readFile(join(dest, 'ok.txt'), 'utf8')).toBe('fine');

    // The same between two directories: the fs provider's own copy (no bytes through Stowage).
    const src = join(root, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'y.txt'), 'local');
    const local = await treeResult(storage.copyTree(`${src}/`, `${dest}/`).done);
    expect(local.failures.map((f) => f.code)).toEqual(['PermissionDenied']);
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows links above the destination root, which the caller chose', async () => {
    const real = join(root, 'real');
    await mkdir(real);
    await symlink(real, join(root, 'chosen'));
    await storage.write('mem://b/t/a/x.txt', 'x');
    await storage.write('mem://b/t/big.bin', randomBytes(2 * MiB));
    await storage.copyTree('mem://b/t/', `${join(root, 'chosen')}/`, { multipartThreshold: MiB }).done;
    expect(await readFile(join(real, 'a', 'x.txt'), 'utf8')).toBe('x');
    expect((await stat(join(real, 'big.bin'))).size).toBe(2 * MiB);
    // A single copy names its own path: an intermediate link there is the caller's choice too.
    await symlink('../outside', join(dest, 'sub'));
    await storage.copy('mem://b/t/a/x.txt', join(dest, 'sub', 'x.txt'));
    expect(await readFile(join(outside, 'x.txt'), 'utf8')).toBe('x');
  });

  it('a provider root is enforced on real paths: a link inside it cannot lead a write out', async () => {
    const confined = createStorage({ providers: [new FsProvider({ root: dest }), new MemoryProvider()] });
    await symlink('../outside', join(dest, 'sub'));
    await expect(confined.write(parseUri(join(dest, 'sub', 'x.txt')), 'x')).rejects.toMatchObject({
      code: 'PermissionDenied',
    });
    expect(await readdir(outside)).toEqual([]);
  });

  it('a link at a destination file is replaced by the file, never written through', async () => {
    await writeFile(join(outside, 'victim.txt'), 'keep me');
    await symlink('../outside/victim.txt', join(dest, 'x.txt'));
    await storage.write('mem://b/t/x.txt', 'new');
    await storage.copyTree('mem://b/t/', `${dest}/`).done;
    expect(await readFile(join(outside, 'victim.txt'), 'utf8')).toBe('keep me');
    expect((await lstat(join(dest, 'x.txt'))).isFile()).toBe(true);
  });

  it("a link planted at a download's predictable partial-file name is never written through", async () => {
    const victim = join(outside, 'victim.txt');
    await writeFile(victim, 'keep me');
    const target = join(dest, 'big.bin');
    await symlink(victim, partialPaths(target).partial);
    await storage.write('mem://b/big.bin', randomBytes(2 * MiB));
    const result = await storage.copy('mem://b/big.bin', target, { multipartThreshold: MiB, partSize: MiB })
      .done;
    expect(result.strategy).toBe('ranged-download');
    expect(await readFile(victim, 'utf8')).toBe('keep me');
    expect((await stat(target)).size).toBe(2 * MiB);
  });
});

describe('a file written over keeps its mode', () => {
  it.skipIf(process.platform === 'win32')(
    'a 0600 file stays 0600 after a write, a streamed copy, a ranged download and a local copy',
    async () => {
      await storage.write('mem://b/small', 'new small');
      await storage.write('mem://b/big', randomBytes(2 * MiB));
      const local = join(root, 'local.txt');
      await writeFile(local, 'local', { mode: 0o644 });
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['written.txt', () => storage.write(join(dest, 'written.txt'), 'new')],
        ['streamed.txt', () => storage.copy('mem://b/small', join(dest, 'streamed.txt')).done],
        [
          'ranged.bin',
          () => storage.copy('mem://b/big', join(dest, 'ranged.bin'), { multipartThreshold: MiB }).done,
        ],
        ['copied.txt', () => storage.copy(local, join(dest, 'copied.txt')).done],
      ];
      for (const [name, overwrite] of cases) {
        await writeFile(join(dest, name), 'secret', { mode: 0o600 });
        await overwrite();
        expect({ name, mode: (await stat(join(dest, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
        expect(await readFile(join(dest, name), 'utf8')).not.toBe('secret');
      }
      // A new file still gets the usual mode.
      await storage.copy('mem://b/small', join(dest, 'fresh.txt')).done;
      expect((await stat(join(dest, 'fresh.txt'))).mode & 0o777).toBe(0o666 & ~process.umask());
    },
  );
});
