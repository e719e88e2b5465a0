import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CopyTreeResult,
  createStorage,
  FsProvider,
  isTempName,
  MemoryProvider,
  type Storage,
  type TransferEvent,
} from '../src/index.js';
import { childOutput } from './support/child-output.js';

// File system failures come out as typed StowageErrors with clear messages, on real files: a name
// too long, a file where a directory must be (and the other way round), a tree that has both `a`
// and `a/b`, and a process out of file descriptors under a real `ulimit -n`.
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const FD_CHILD = join(PACKAGE_DIR, 'test/support/fd-limit-child.mjs');
const MiB = 1024 * 1024;
let dir: string;
let storage: Storage;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-fs-errors-'));
  storage = createStorage({ providers: [new FsProvider(), new MemoryProvider()] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function treeResult(run: Promise<CopyTreeResult>): Promise<CopyTreeResult> {
  return run.catch((error: { treeResult?: CopyTreeResult }) => {
    if (!error.treeResult) throw error;
    return error.treeResult;
  });
}

describe('a name longer than the file system allows', () => {
  it('is InvalidArgument naming the limit, for a write, a copy, a ranged download, a stat and a tree', async () => {
    const long = join(dir, `${'n'.repeat(300)}.txt`);
    const tooLong = {
      code: 'InvalidArgument',
      message: expect.stringMatching(/too long.*304 bytes.*255 bytes/),
    };
    await expect(storage.write(long, 'x')).rejects.toMatchObject(tooLong);
    await expect(storage.stat(long)).rejects.toMatchObject(tooLong);

    await storage.write('mem://e/small', 'small');
    await storage.write('mem://e/big', Buffer.alloc(2 * MiB, 1));
    const events: TransferEvent[] = [];
    const copy = storage.copy('mem://e/small', long);
    copy.events$.subscribe((e) => events.push(e));
    await expect(copy.done).rejects.toMatchObject(tooLong);
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ error: { code: 'InvalidArgument' } });
    await expect(storage.copy('mem://e/big', long, { multipartThreshold: MiB }).done).rejects.toMatchObject(
      tooLong,
    );

    await storage.write(`mem://e/tree/${'k'.repeat(300)}`, 'x');
    await storage.write('mem://e/tree/short.txt', 'x');
    const result = await treeResult(storage.copyTree('mem://e/tree/', `${dir}/tree/`).done);
    expect(result.failures).toEqual([
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringMatching(/255 bytes/) }),
    ]);
    // Nothing left behind by the failures.
    expect((await readdir(dir)).filter(isTempName)).toEqual([]);
    expect(await readdir(join(dir, 'tree'))).toEqual(['short.txt']);
  });
});

describe('a file and a directory on one path', () => {
  it('is InvalidArgument naming the path in the way, for writes and copies; a read stays NotFound', async () => {
    await writeFile(join(dir, 'a'), 'a file');
    await mkdir(join(dir, 'd'));
    await storage.write('mem://c/x', 'x');
    const fileInTheWay = {
      code: 'InvalidArgument',
      message: expect.stringContaining(`${join(dir, 'a')} is a file, not a directory`),
    };
    await expect(storage.write(join(dir, 'a', 'b'), 'x')).rejects.toMatchObject(fileInTheWay);
    await expect(storage.write(join(dir, 'a', 'b', 'c'), 'x')).rejects.toMatchObject(fileInTheWay);
    await expect(storage.copy('mem://c/x', join(dir, 'a', 'b')).done).rejects.toMatchObject(fileInTheWay);
    await expect(storage.copy(join(dir, 'a'), join(dir, 'a', 'b')).done).rejects.toMatchObject(fileInTheWay);
    await expect(storage.write(`${join(dir, 'a')}/`, '')).rejects.toMatchObject(fileInTheWay);
    const dirInTheWay = {
      code: 'InvalidArgument',
      message: expect.stringContaining(`${join(dir, 'd')} is a directory`),
    };
    await expect(storage.write(join(dir, 'd'), 'x')).rejects.toMatchObject(dirInTheWay);
    await expect(storage.copy('mem://c/x', join(dir, 'd')).done).rejects.toMatchObject(dirInTheWay);
    await expect(storage.copy(join(dir, 'a'), join(dir, 'd')).done).rejects.toMatchObject(dirInTheWay);
    // Reading a path through a file finds nothing: that is NotFound.
    await expect(storage.stat(join(dir, 'a', 'b'))).rejects.toMatchObject({ code: 'NotFound' });
    expect((await readdir(dir)).sort()).toEqual(['a', 'd']);
  });

  it.each([1, 16])(
    'a tree with both `a` and `a/…`: the directory wins and the file fails on its own (file concurrency %i)',
    async (fileConcurrency) => {
      const keys = ['a', 'a-b', 'a.txt', 'a/b', 'a/c/d', 'b', 'b/', 'c.txt', 'e', 'e-x/', 'e-x/y', 'e/f'];
      for (const key of keys) await storage.write(`mem://t/src/${key}`, key.endsWith('/') ? '' : `${key}\n`);
      const dest = join(dir, `c${fileConcurrency}`);
      const result = await treeResult(storage.copyTree('mem://t/src/', `${dest}/`, { fileConcurrency }).done);
      expect(result.failures.map((f) => [f.source, f.code]).sort()).toEqual([
        ['mem://t/src/a', 'InvalidArgument'],
        ['mem://t/src/b', 'InvalidArgument'],
        ['mem://t/src/e', 'InvalidArgument'],
      ]);
      const message = result.failures.find((f) => f.source === 'mem://t/src/a')!.message;
      expect(message).toContain('mem://t/src/a/b');
      expect(message).toContain(`file://${join(dest, 'a')}`);
      for (const key of ['a-b', 'a.txt', 'a/b', 'a/c/d', 'c.txt', 'e-x/y', 'e/f'])
        expect(await readFile(join(dest, key), 'utf8')).toBe(`${key}\n`);
      for (const name of ['a', 'b', 'e']) expect((await stat(join(dest, name))).isDirectory()).toBe(true);
      // An object store holds both: there, nothing clashes.
      const toMemory = await storage.copyTree('mem://t/src/', 'mem://t/copy/', { fileConcurrency }).done;
      expect(toMemory.failed).toBe(0);
    },
  );
});

describe('out of file descriptors', () => {
  it.skipIf(process.platform === 'win32')(
    'a tree copy under a low `ulimit -n` backs off (fewer files at a time) and copies every file',
    async () => {
      // 128, not lower: Node's module loader opens the package's files in parallel, and under 64 the
      // child cannot even load it. 400 files in flight still need far more descriptors than that.
      const destination = join(dir, 'many');
      const output = await childOutput(
        'sh',
        [
          '-c',
          'ulimit -n 128 && exec "$0" "$@"',
          process.execPath,
          FD_CHILD,
          JSON.stringify({ destination, files: 400, concurrency: 400 }),
        ],
        { cwd: PACKAGE_DIR },
      );
      const report = JSON.parse(output) as {
        ok: boolean;
        error?: { code: string; message: string; retryable: boolean };
        files: number;
        failed: number;
        failures: Array<{ code: string; message: string }>;
        retries: string[];
        warnings: string[];
      };
      // The limit was really hit: retried, or failed after the retries.
      expect(report.retries.some((r) => r.includes('EMFILE')) || report.failed > 0).toBe(true);
      for (const reason of report.retries) expect(reason).toMatch(/^Transient: EMFILE: too many open files/);
      for (const failure of report.failures)
        expect(failure).toEqual({
          code: 'Transient',
          message: expect.stringMatching(/^EMFILE: too many open files/),
        });
      // The pool shrank instead of files failing: every file is there.
      expect(report.warnings).toContain('file-concurrency-lowered');
      expect(report).toMatchObject({ ok: true, files: 400, failed: 0 });
      // What was written is whole; what failed left nothing.
      const names = await readdir(destination);
      expect(names.filter(isTempName)).toEqual([]);
      expect(names).toHaveLength(report.files);
      for (const name of names)
        expect((await readFile(join(destination, name), 'utf8')).startsWith('file ')).toBe(true);
    },
    90_000,
  );
});
