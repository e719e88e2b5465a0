import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  createStorage,
  decorateProvider,
  type Entry,
  FsProvider,
  InvalidArgumentError,
  MemoryProvider,
  type Storage,
  type TransferEvent,
} from '../src/index.js';

let dir: string;
let storage: Storage;
let memory: MemoryProvider;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-tree-'));
  memory = new MemoryProvider();
  storage = createStorage({ providers: [new FsProvider(), memory] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function seed(files: Record<string, string>): Promise<void> {
  for (const [key, body] of Object.entries(files)) await storage.write(`mem://src/${key}`, body);
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of storage.list(prefix, { recursive: true })) out.push(e.key);
  return out;
}

describe('copyTree', () => {
  it('keeps relative keys and treats dir/ markers as directories', async () => {
    await seed({
      'data/a.txt': 'a',
      'data/sub/': '',
      'data/sub/b.txt': 'bb',
      'data/empty/': '',
      'other.txt': 'x',
    });
    const result = await storage.copyTree('mem://src/data/', `${dir}/out/`);
    expect(result).toMatchObject({ files: 4, failed: 0, bytes: 3 });
    expect(await readFile(join(dir, 'out/a.txt'), 'utf8')).toBe('a');
    expect(await readFile(join(dir, 'out/sub/b.txt'), 'utf8')).toBe('bb');
    expect((await stat(join(dir, 'out/empty'))).isDirectory()).toBe(true);
    await expect(stat(join(dir, 'out/other.txt'))).rejects.toThrow();
  });

  it('copies fs → memory and back with the same keys', async () => {
    await seed({ 'x/1': '1', 'x/2/3': '3' });
    await storage.copyTree('mem://src/x/', `${dir}/x/`);
    await storage.copyTree(`${dir}/x/`, 'mem://back/x/');
    expect(await keysUnder('mem://back/')).toEqual(['x/1', 'x/2/3']);
  });

  it('applies include and exclude globs to relative keys', async () => {
    await seed({ 'a.csv': '1', 'b.csv': '2', 'c.txt': '3', 'deep/d.csv': '4', 'deep/skip.csv': '5' });
    const result = await storage.copyTree('mem://src/', 'mem://dst/', {
      include: ['**/*.csv'],
      exclude: ['**/skip*'],
    });
    expect(result.files).toBe(3);
    expect(await keysUnder('mem://dst/')).toEqual(['a.csv', 'b.csv', 'deep/d.csv']);
  });

  it('dryRun plans without writing', async () => {
    await seed({ a: '1', 'b/c': '22' });
    const result = await storage.copyTree('mem://src/', `${dir}/plan/`, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.planned?.map((p) => p.bytes)).toEqual([1, 2]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a destination inside the source', async () => {
    await seed({ 'a/b': '1' });
    await expect(storage.copyTree('mem://src/a/', 'mem://src/a/copy/')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(storage.copyTree('mem://src/', 'mem://src/a/')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('reports per-file events and aggregate totals in order', async () => {
    await seed({ f1: 'one', f2: 'three', f3: 'fivefive' });
    const transfer = storage.copyTree('mem://src/', `${dir}/ev/`, { fileConcurrency: 2 });
    const all: TransferEvent[] = [];
    storage.events$.subscribe((e) => all.push(e));
    const own = lastValueFrom(transfer.events$.pipe(toArray()));
    await transfer;
    const tree = (await own).filter((e) => e.type === 'tree-progress');
    const last = tree.at(-1) as Extract<TransferEvent, { type: 'tree-progress' }>;
    expect(last).toMatchObject({
      filesDone: 3,
      filesQueued: 3,
      bytesDone: 16,
      listingComplete: true,
      filesFailed: 0,
    });
    const doneCounts = tree.map((e) => (e as { filesDone: number }).filesDone);
    expect([...doneCounts].sort((a, b) => a - b)).toEqual(doneCounts);
    const children = all.filter((e) => e.parentId === transfer.id);
    for (const id of new Set(children.map((e) => e.transferId))) {
      const types = children.filter((e) => e.transferId === id).map((e) => e.type);
      expect(types[0]).toBe('queued');
      expect(types.indexOf('started')).toBeGreaterThan(0);
      expect(types.at(-1)).toBe('completed');
    }
    expect(children.filter((e) => e.type === 'completed')).toHaveLength(3);
  });

  it('keeps going after one file fails, then rejects with that failure', async () => {
    await seed({ good1: '1', bad: '2', good2: '3' });
    const broken = decorateProvider(memory, {
      read: async (uri, o) => {
        if (uri.key === 'bad') throw new InvalidArgumentError('injected');
        return memory.read(uri, o);
      },
    });
    const s = createStorage({ providers: [new FsProvider(), broken] });
    const error = (await s.copyTree('mem://src/', `${dir}/partial/`).then(
      () => undefined,
      (e) => e,
    )) as InvalidArgumentError & { treeResult: { files: number; failed: number } };
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.treeResult).toMatchObject({ files: 2, failed: 1 });
    expect((await readdir(join(dir, 'partial'))).sort()).toEqual(['good1', 'good2']);
  });

  it('moveTree deletes each source only after its copy', async () => {
    await seed({ 'm/1': 'a', 'm/2': 'b' });
    await storage.moveTree('mem://src/m/', `${dir}/moved/`);
    expect(await keysUnder('mem://src/')).toEqual([]);
    expect((await readdir(join(dir, 'moved'))).sort()).toEqual(['1', '2']);
  });

  it('can be cancelled', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`k${String(i).padStart(3, '0')}`] = 'x';
    await seed(files);
    const controller = new AbortController();
    const transfer = storage.copyTree('mem://src/', 'mem://dst/', {
      signal: controller.signal,
      fileConcurrency: 2,
    });
    transfer.events$.subscribe((e) => {
      if (e.type === 'tree-progress' && e.filesDone === 10) controller.abort();
    });
    await expect(transfer).rejects.toBeInstanceOf(AbortedError);
    expect((await keysUnder('mem://dst/')).length).toBeLessThan(200);
  });

  it('copies 10,000 files with the listing pulled lazily and a bounded number in flight', async () => {
    const N = 10_000;
    for (let i = 0; i < N; i++)
      await memory.write({ scheme: 'mem', bucket: 'src', key: `t/${String(i).padStart(5, '0')}` }, 'x');
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    const counting = decorateProvider(memory, {
      list: (prefix, o) =>
        (async function* () {
          for await (const e of memory.list(prefix, o) as AsyncIterable<Entry>) {
            pulled++;
            maxAhead = Math.max(maxAhead, pulled - finished);
            yield e;
          }
        })(),
      write: async (uri, body, o) => {
        const r = await memory.write(uri, body, o);
        finished++;
        return r;
      },
      copy: async (from, to, o) => {
        const r = await memory.copy(from, to, o);
        finished++;
        return r;
      },
    });
    const s = createStorage({ providers: [counting] });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const result = await s.copyTree('mem://src/t/', 'mem://dst/t/', { fileConcurrency: 8 });
    expect(result.files).toBe(N);
    // Never more than the pool (8) plus the item being handed over is ahead of the copies.
    expect(maxAhead).toBeLessThanOrEqual(10);
    global.gc?.();
    // The copies themselves hold 10,000 small objects in memory; the engine must add little on top.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});

describe("a tree's own events", () => {
  it("carry its files' events, and the storage's stream sees each of them once", async () => {
    const memory = new MemoryProvider();
    const storage = createStorage({ providers: [memory] });
    for (const name of ['a', 'b', 'c']) await storage.write(`mem://src/t/${name}.txt`, name);
    const fromStorage: TransferEvent[] = [];
    const subscription = storage.events$.subscribe((e) => fromStorage.push(e));
    const tree = storage.copyTree('mem://src/t/', 'mem://dst/t/');
    const fromTree: TransferEvent[] = [];
    tree.events$.subscribe((e) => fromTree.push(e));
    await tree;
    subscription.unsubscribe();
    const completedHere = fromTree.filter((e) => e.type === 'completed' && e.parentId === tree.id);
    expect(completedHere).toHaveLength(3);
    const completedThere = fromStorage.filter((e) => e.type === 'completed' && e.parentId === tree.id);
    expect(completedThere).toHaveLength(3);
    expect(fromStorage.filter((e) => e.type === 'queued')).toHaveLength(3);
  });
});
