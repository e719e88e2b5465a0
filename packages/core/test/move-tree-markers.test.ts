import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStorage,
  decorateProvider,
  type Entry,
  FsProvider,
  InvalidArgumentError,
  MemoryProvider,
  type Provider,
  type Storage,
} from '../src/index.js';

let dir: string;
let memory: MemoryProvider;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-move-markers-'));
  memory = new MemoryProvider();
  storage = createStorage({ providers: [new FsProvider(), memory] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function seed(files: Record<string, string>, s: Storage = storage): Promise<void> {
  for (const [key, body] of Object.entries(files)) await s.write(`mem://bucket/${key}`, body);
}

async function keysUnder(prefix: string, s: Storage = storage): Promise<string[]> {
  const out: string[] = [];
  for await (const e of s.list(prefix, { recursive: true })) out.push(e.key);
  return out.sort();
}

/** Regular files and directories under `root`, as relative paths (directories end in `/`). */
async function tree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .map((e) => {
      const rel = join(e.parentPath, e.name).slice(root.length + 1);
      return e.isDirectory() ? `${rel}/` : rel;
    })
    .sort();
}

async function readText(s: Storage, uri: string): Promise<string> {
  return text(await s.read(uri));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The stock FsProvider lists regular files only, never `dir/` markers, so a moveTree from disk
 * never sees a directory. This one lists a marker for every directory, in S3 key order (`a/`
 * before `a/x`), as a bucket with console-made folders would, so the fs side of marker deletion
 * (FsProvider.delete of a `dir/` key) is exercised through moveTree.
 */
function fsWithMarkers(inner: FsProvider): Provider {
  return decorateProvider(inner, {
    list: (prefix, options) =>
      (async function* () {
        const all: Entry[] = [];
        for await (const e of inner.list(prefix, options) as AsyncIterable<Entry>) all.push(e);
        for (const d of await readdir(`/${prefix.key}`, { recursive: true, withFileTypes: true })) {
          if (!d.isDirectory()) continue;
          const key = `${join(d.parentPath, d.name).slice(1)}/`;
          all.push({ type: 'object', uri: { ...prefix, key }, key, size: 0 });
        }
        yield* all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      })(),
  });
}

describe('moveTree and directory markers', () => {
  it('memory → memory: recreates the markers and leaves no source key', async () => {
    await seed({ 'src/a/': '', 'src/a/x': 'x', 'src/b/': '', 'src/b/c/y': 'yy' });
    const result = await storage.moveTree('mem://bucket/src/', 'mem://bucket/dst/');
    expect(result).toMatchObject({ files: 4, skipped: 0, failed: 0, bytes: 3 });
    expect(await keysUnder('mem://bucket/src/')).toEqual([]);
    expect(await keysUnder('mem://bucket/dst/')).toEqual(['dst/a/', 'dst/a/x', 'dst/b/', 'dst/b/c/y']);
    expect(await readText(storage, 'mem://bucket/dst/b/c/y')).toBe('yy');
  });

  it('keeps files skipped as existing and files that failed, but still moves their marker', async () => {
    // Within one provider the copy is server-side; fail it (and a streamed read) for one file.
    const broken = decorateProvider(memory, {
      copy: async (from, to, o) => {
        if (from.key === 'src/a/bad') throw new InvalidArgumentError('injected');
        return memory.copy(from, to, o);
      },
      read: async (uri, o) => {
        if (uri.key === 'src/a/bad') throw new InvalidArgumentError('injected');
        return memory.read(uri, o);
      },
    });
    const s = createStorage({ providers: [broken] });
    await seed({ 'src/a/': '', 'src/a/x': 'new', 'src/a/bad': 'b', 'dst/a/x': 'old' }, s);
    const error = (await s.moveTree('mem://bucket/src/', 'mem://bucket/dst/', { overwrite: 'never' }).then(
      () => undefined,
      (e) => e,
    )) as InvalidArgumentError & { treeResult: { files: number; skipped: number; failed: number } };
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.treeResult).toMatchObject({ files: 1, skipped: 1, failed: 1 });
    // `a/x` was skipped (the destination exists) and `a/bad` failed: both stay; the marker moved.
    expect(await keysUnder('mem://bucket/src/', s)).toEqual(['src/a/bad', 'src/a/x']);
    expect(await keysUnder('mem://bucket/dst/', s)).toEqual(['dst/a/', 'dst/a/x']);
    expect(await readText(s, 'mem://bucket/dst/a/x')).toBe('old');
  });

  it('memory: an excluded file under a marker directory survives the move', async () => {
    await seed({ 'src/a/': '', 'src/a/keep.log': 'k', 'src/a/x': 'x' });
    await storage.moveTree('mem://bucket/src/', 'mem://bucket/dst/', { exclude: '**/*.log' });
    expect(await keysUnder('mem://bucket/src/')).toEqual(['src/a/keep.log']);
    expect(await keysUnder('mem://bucket/dst/')).toEqual(['dst/a/', 'dst/a/x']);
  });

  it('fs → memory: empty marker directories go, a directory still holding an excluded file stays', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'a'), { recursive: true });
    await mkdir(join(src, 'b/c'), { recursive: true });
    await mkdir(join(src, 'empty'), { recursive: true });
    await mkdir(join(src, 'keep'), { recursive: true });
    await writeFile(join(src, 'a/x'), 'x');
    await writeFile(join(src, 'b/c/y'), 'yy');
    await writeFile(join(src, 'keep/skip.log'), 'log');
    const s = createStorage({ providers: [fsWithMarkers(new FsProvider()), memory] });

    const result = await s.moveTree(`${src}/`, 'mem://bucket/dst/', { exclude: '**/*.log' });
    expect(result).toMatchObject({ files: 7, failed: 0 });
    expect(await keysUnder('mem://bucket/dst/', s)).toEqual([
      'dst/a/',
      'dst/a/x',
      'dst/b/',
      'dst/b/c/',
      'dst/b/c/y',
      'dst/empty/',
      'dst/keep/',
    ]);
    // The empty directory's marker was deleted, so the directory is gone.
    expect(await exists(join(src, 'empty'))).toBe(false);
    // The excluded file and its directory are untouched.
    expect(await readFile(join(src, 'keep/skip.log'), 'utf8')).toBe('log');
    // Whatever else remains is empty directories: a marker listed before its files (S3 order) may
    // find its directory still full and leave it, which is the safe outcome.
    const left = await tree(src);
    expect(left.filter((p) => !p.endsWith('/'))).toEqual(['keep/skip.log']);
    expect(left).toContain('keep/');
    expect(left.every((p) => ['a/', 'b/', 'b/c/', 'keep/', 'keep/skip.log'].includes(p))).toBe(true);
  });

  it('fs: deleting a dir/ key removes only an empty directory', async () => {
    await mkdir(join(dir, 'empty'));
    await mkdir(join(dir, 'full'));
    await writeFile(join(dir, 'full/f'), 'f');
    await writeFile(join(dir, 'plain'), 'p');
    await storage.delete(`${dir}/empty/`);
    await storage.delete(`${dir}/full/`);
    await storage.delete(`${dir}/plain/`);
    await storage.delete(`${dir}/missing/`);
    expect(await tree(dir)).toEqual(['full/', 'full/f', 'plain']);
  });

  it('dryRun deletes nothing, markers included', async () => {
    await seed({ 'src/a/': '', 'src/a/x': 'x', 'src/b/': '' });
    const result = await storage.moveTree('mem://bucket/src/', 'mem://bucket/dst/', { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, files: 3 });
    expect(await keysUnder('mem://bucket/src/')).toEqual(['src/a/', 'src/a/x', 'src/b/']);
    expect(await keysUnder('mem://bucket/dst/')).toEqual([]);

    const src = join(dir, 'src');
    await mkdir(join(src, 'empty'), { recursive: true });
    await writeFile(join(src, 'f'), 'f');
    const s = createStorage({ providers: [fsWithMarkers(new FsProvider()), memory] });
    await s.moveTree(`${src}/`, 'mem://bucket/fsdst/', { dryRun: true });
    expect(await tree(src)).toEqual(['empty/', 'f']);
    expect(await keysUnder('mem://bucket/fsdst/', s)).toEqual([]);
  });
});
